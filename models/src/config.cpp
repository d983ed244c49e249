#include "tapegrad/models/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/family.hpp"
#include "tapegrad/models/json_reader.hpp"
#include "tapegrad/models/layer.hpp"
#include "tapegrad/models/text.hpp"
#include "json_text.hpp"

namespace tapegrad::models {

namespace fs = std::filesystem;

namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() || base_dir.empty()) ? p.lexically_normal().string() : (fs::path(base_dir) / p).lexically_normal().string();
}

// Why open() failed, in words a person acts on.
std::string open_failure(int error) {
  switch (error) {
    case ENOENT: return "no such file";
    case ENOTDIR: return "cannot be opened: a part of the path before the file name is not a folder";
    case ELOOP: return "cannot be opened: too many levels of symbolic links (a symbolic link that leads back to itself?)";
    case ENAMETOOLONG: return "cannot be opened: the name is too long";
    case EACCES: return "cannot be opened: permission denied";
    default: return "cannot be opened: " + std::string(std::strerror(error));
  }
}

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The config's bytes: a regular file (or a symbolic link to one) of at most kMaxConfigBytes.
// The checks are made on the file opened, so what is checked is what is read. O_NONBLOCK: a
// named pipe without a writer is refused at once instead of waited on.
std::string read_config_file(const std::string& path) {
  const std::string name = shorten(path, 200);
  const std::string expected = " (expected a JSON config file)";
  if (path.empty()) throw InputError("the config path is empty" + expected);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw InputError(name + ": " + open_failure(errno) + expected);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) throw InputError(name + ": cannot be read: " + std::strerror(errno) + expected);
  if (!S_ISREG(info.st_mode)) throw InputError(name + ": is " + file_kind(info.st_mode) + expected);
  const auto too_large = [&](std::uintmax_t bytes) {
    return InputError(name + ": " + std::to_string(bytes) + " bytes or more; a config is at most " +
                      std::to_string(kMaxConfigBytes) + " bytes (16 MiB)" + expected);
  };
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxConfigBytes) throw too_large(static_cast<std::uintmax_t>(info.st_size));
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t have = 0;
  for (;;) {  // to the end, which may have moved since fstat: never beyond the limit
    if (have == text.size()) {
      if (text.size() > kMaxConfigBytes) throw too_large(text.size());
      text.resize(std::min<std::size_t>(std::max<std::size_t>(2 * text.size(), 4096), kMaxConfigBytes + 1));
    }
    const ssize_t n = ::read(fd, &text[have], text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw InputError(name + ": cannot be read: " + std::strerror(errno) + expected);
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  text.resize(have);
  return text;
}

DataConfig read_data(ObjectReader& data, const std::string& base_dir) {
  DataConfig out;
  out.csv = resolve(base_dir, data.string("csv"));
  out.target = data.string("target");
  if (data.has("features")) {
    out.features = data.strings("features");
    if (out.features.empty()) data.fail("features", "expected at least one column name (omit the key to use every column but the target)");
    std::unordered_set<std::string> seen;  // linear in the number of features
    for (std::size_t i = 0; i < out.features.size(); ++i) {
      const std::string at = data.path("features") + "/" + std::to_string(i);
      if (out.features[i] == out.target) fail_at(data.file(), at, shorten_quoted(out.target) + " is the target; it cannot also be a feature");
      if (!seen.insert(out.features[i]).second) fail_at(data.file(), at, shorten_quoted(out.features[i]) + " is listed twice");
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
    if (type.empty()) layer.fail("type", "required key is missing (one of " + join(layer_types()) + ")");
    find_layer(type)(layer);
    layer.finish();
    layers.push_back({type, model[i], path});
  }
  return layers;
}

ComponentConfig read_likelihood(const nlohmann::json& value, const std::string& file) {
  ObjectReader likelihood(value, "/likelihood", file);
  const std::string family = likelihood.choice("family", family_names(), "");
  if (family.empty()) likelihood.fail("family", "required key is missing (one of " + join(family_names()) + ")");
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
  const std::string text = read_config_file(path);
  const nlohmann::json config = detail::parse_json_text(text, path);
  const std::string base = fs::path(path).parent_path().string();
  return parse_config(config, base, path);
}

}  // namespace tapegrad::models
