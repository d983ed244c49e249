#include "tapegrad/models/config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/family.hpp"
#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/layer.hpp"

namespace tapegrad::models {

namespace fs = std::filesystem;

namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() || base_dir.empty()) ? p.lexically_normal().string() : (fs::path(base_dir) / p).lexically_normal().string();
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

DataConfig read_data(ObjectReader& data, const std::string& base_dir) {
  DataConfig out;
  out.csv = resolve(base_dir, data.string("csv"));
  out.target = data.string("target");
  if (data.has("features")) {
    out.features = data.strings("features");
    if (out.features.empty()) data.fail("features", "expected at least one column name (omit the key to use every column but the target)");
    for (std::size_t i = 0; i < out.features.size(); ++i) {
      const std::string at = data.path("features") + "/" + std::to_string(i);
      if (out.features[i] == out.target) fail_at(data.file(), at, "\"" + out.target + "\" is the target; it cannot also be a feature");
      for (std::size_t j = 0; j < i; ++j)
        if (out.features[j] == out.features[i]) fail_at(data.file(), at, "\"" + out.features[i] + "\" is listed twice");
    }
  }
  out.drop_missing = data.boolean("drop_missing", false);
  data.finish();
  return out;
}

// Each layer is built once here so that its factory validates its options now, not mid-fit.
std::vector<ComponentConfig> read_model(const nlohmann::json& model, const std::string& file) {
  if (!model.is_array()) fail_at(file, "/model", "expected a list of layers ([{\"type\": \"linear\", \"units\": 1}, ...]), found " + describe(model));
  if (model.empty()) fail_at(file, "/model", "expected at least one layer, found an empty list");
  std::vector<ComponentConfig> layers;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string path = "/model/" + std::to_string(i);
    ObjectReader layer(model[i], path, file);
    const std::string type = layer.choice("type", layer_types(), "");
    if (type.empty()) layer.fail("type", "required key is missing (one of " + list(layer_types()) + ")");
    find_layer(type)(layer);
    layer.finish();
    layers.push_back({type, model[i], path});
  }
  return layers;
}

ComponentConfig read_likelihood(const nlohmann::json& value, const std::string& file) {
  ObjectReader likelihood(value, "/likelihood", file);
  const std::string family = likelihood.choice("family", family_names(), "");
  if (family.empty()) likelihood.fail("family", "required key is missing (one of " + list(family_names()) + ")");
  find_family(family)(likelihood);
  likelihood.finish();
  return {family, value, "/likelihood"};
}

FitConfig read_fit(ObjectReader& fit) {
  FitConfig out;
  OptimizerOptions& o = out.optimizer;
  o.method = fit.choice("optimizer", {"auto", "trust_region", "trust_region_cg", "lbfgs", "newton", "adam", "sgd"}, "auto");
  const bool stochastic = o.method == "adam" || o.method == "sgd";
  o.max_iterations = static_cast<int>(fit.integer("max_iterations", stochastic ? 200 : 1000, 1, 100000000));
  o.tolerance = fit.positive("tolerance", 1e-8);
  o.seed = static_cast<std::uint64_t>(fit.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
  if (o.method == "lbfgs" || o.method == "auto") o.memory = static_cast<int>(fit.integer("memory", 10, 1, 1000));
  if (stochastic) {
    o.learning_rate = fit.positive("learning_rate", o.method == "adam" ? 0.001 : 0.01);
    o.batch_size = static_cast<std::size_t>(fit.integer("batch_size", 32, 1, std::numeric_limits<long long>::max()));
    out.batch_size_path = fit.path("batch_size");
  }
  if (o.method == "sgd") o.momentum = fit.number("momentum", 0.0, 0.0, 0.999999);
  if (o.method == "adam") {
    o.beta1 = fit.number("beta1", 0.9, 0.0, 0.999999);
    o.beta2 = fit.number("beta2", 0.999, 0.0, 0.999999999);
    o.epsilon = fit.positive("epsilon", 1e-8);
  }
  // Keys that belong to another optimizer get a message saying so, not "unknown key".
  const std::vector<std::pair<std::string, std::string>> owners = {
      {"memory", "lbfgs and auto"}, {"learning_rate", "adam and sgd"}, {"batch_size", "adam and sgd"},
      {"momentum", "sgd"}, {"beta1", "adam"}, {"beta2", "adam"}, {"epsilon", "adam"}};
  for (const auto& [key, owner] : owners)
    if (fit.has(key) && owner.find(o.method) == std::string::npos)
      fit.fail(key, key + " applies to " + owner + ", not to optimizer \"" + o.method + "\"" +
                        (key == "batch_size" ? " (it uses every row at each step)" : ""));
  out.standard_errors = fit.boolean("standard_errors", true);
  out.threads = static_cast<std::size_t>(fit.integer("threads", 0, 1, 4096));  // omitted: every core
  out.spread_init = fit.choice("init", {"auto", "random"}, "auto") == "random";
  fit.finish();
  return out;
}

}  // namespace

ExperimentConfig parse_config(const nlohmann::json& config, const std::string& base_dir, const std::string& file) {
  ObjectReader top(config, "", file);
  ExperimentConfig out;
  out.file = file;
  out.name = top.string("name", fs::path(file).stem().string());
  top.has("description");  // free text for people
  {
    ObjectReader data(top.at("data"), "/data", file);
    out.data = read_data(data, base_dir);
  }
  out.model = read_model(top.at("model"), file);
  out.likelihood = read_likelihood(top.at("likelihood"), file);
  {
    static const nlohmann::json empty = nlohmann::json::object();
    ObjectReader fit(top.has("fit") ? top.at("fit") : empty, "/fit", file);
    out.fit = read_fit(fit);
  }
  out.output.dir = resolve(base_dir, "runs/" + out.name);
  if (top.has("output")) {
    ObjectReader output(top.at("output"), "/output", file);
    if (output.has("dir")) out.output.dir = resolve(base_dir, output.string("dir"));
    out.output.plot = output.boolean("plot", true);
    output.finish();
  }
  top.finish();
  return out;
}

ExperimentConfig load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string why = fs::exists(path) ? "cannot be read" : "no such file";
    throw InputError(path + ": " + why + " (expected a JSON config)");
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json config;
  const std::string s = text.str();
  // Line and column of the 1-based byte offset `byte`.
  const auto where = [&](std::size_t byte) {
    std::size_t line = 1, column = 1;
    for (std::size_t k = 0; k + 1 < byte && k < s.size(); ++k) {
      if (s[k] == '\n') { ++line; column = 1; } else { ++column; }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
  };
  try {
    config = nlohmann::json::parse(s);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const auto colon = what.find("syntax error");
    throw InputError(path + ": " + where(e.byte) + ": not valid JSON (" +
                     (colon == std::string::npos ? what : what.substr(colon)) + ")");
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406, "number overflow parsing '1e999'": a number no double holds. It carries
    // no offset; the number is quoted in the message, so find its first occurrence.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    if (e.id == 406 && open != std::string::npos && close > open) {
      const std::string number = what.substr(open + 1, close - open - 1);
      const std::size_t at = s.find(number);
      throw InputError(path + ": " + (at == std::string::npos ? std::string("somewhere") : where(at + 1)) +
                       ": the number " + number + " is beyond the range of a double (expected a finite number)");
    }
    throw InputError(path + ": not valid JSON (" + what + ")");
  }
  const std::string base = fs::path(path).parent_path().string();
  return parse_config(config, base, path);
}

}  // namespace tapegrad::models
