// parse_config / load_config / load_experiment on bad configs: every mistake must be an
// InputError naming the file and the JSON path (or, for bad data, the data file, column and
// row), saying what was found and what was expected. A corpus of bad configs runs through one
// loop; a few good configs must parse.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"
#include "temp_dir.hpp"
#include "tapegrad/models/experiment.hpp"

using tapegrad::models::InputError;
using tapegrad::models::load_config;
using tapegrad::models::load_experiment;
using tapegrad::models::parse_config;

namespace {

namespace fs = std::filesystem;

using tapegrad::testing::TempDir;

// The data files the configs below refer to (relative to the config's folder).
void write_data(const TempDir& tmp) {
  tmp.write("binary.csv", "am,wt,hp\n1,2.6,110\n0,3.2,175\n1,2.2,93\n0,3.4,245\n");
  tmp.write("bad_binary.csv", "am,wt,hp\n1,2.6,110\n0,3.2,175\n2,2.2,93\n0,3.4,245\n");
  tmp.write("classes.csv", "y,x\n0,0.5\n1,1.5\n2,2.5\n0,0.7\n1,1.1\n2,2.9\n");
  tmp.write("counts.csv", "n,x\n0,0.1\n3,1.2\n1,0.4\n7,2.0\n");
  tmp.write("real.csv", "y,x\n0.1,1\n1.9,2\n3.2,3\n3.8,4\n");
}

enum class Stage {
  Parse,  // parse_config must throw
  Load,   // parse_config must accept it; load_experiment (which reads the data) must throw
};

struct BadConfig {
  std::string description;
  std::string json;
  Stage stage;
  std::string prefix;                // the message starts with this ("$DIR" is the data folder)
  std::vector<std::string> phrases;  // and contains each of these
};

std::string substitute(std::string text, const std::string& dir) {
  const std::string key = "$DIR";
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + dir.size()))
    text.replace(at, key.size(), dir);
  return text;
}

// Pieces shared by the corpus (one good config, each entry breaks one thing).
#define DATA R"("data": {"csv": "binary.csv", "target": "am", "features": ["wt", "hp"]})"
#define LOGIT R"("model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}])"
#define BERN R"("likelihood": {"family": "bernoulli"})"

const std::vector<BadConfig>& corpus() {
  static const std::vector<BadConfig> cases = {
      // ---- the top level
      {"config not an object", R"json(["data", "model"])json", Stage::Parse, "bad.json: /: ",
       {"expected an object", "found a list"}},
      {"unknown top-level key near \"fit\"", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fitt": {}})json",
       Stage::Parse, "bad.json: /fitt: ", {"unknown key", "did you mean \"fit\"?", "allowed here:"}},
      {"unknown top-level key \"modle\" beside \"model\"",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "modle": []})json", Stage::Parse, "bad.json: /modle: ",
       {"unknown key", "did you mean \"model\"?", "allowed here: data, description, fit, likelihood, model, name, output"}},
      {"\"modle\" instead of \"model\"", R"json({)json" DATA R"json(, "modle": [{"type": "linear", "units": 1}],)json" BERN "}",
       Stage::Parse, "bad.json: /model: ", {"required key is missing", "\"modle\" is there: did you mean \"model\"?"}},
      {"name a number", R"json({"name": 7,)json" DATA "," LOGIT "," BERN "}", Stage::Parse, "bad.json: /name: ",
       {"expected a string, found 7"}},

      // ---- data
      {"data missing", R"json({)json" LOGIT "," BERN "}", Stage::Parse, "bad.json: /data: ",
       {"required key is missing"}},
      {"data a string", R"json({"data": "binary.csv",)json" LOGIT "," BERN "}", Stage::Parse, "bad.json: /data: ",
       {"expected an object", "found \"binary.csv\""}},
      {"data.csv missing", R"json({"data": {"target": "am"},)json" LOGIT "," BERN "}", Stage::Parse,
       "bad.json: /data/csv: ", {"required key is missing"}},
      {"data.csv a number", R"json({"data": {"csv": 3, "target": "am"},)json" LOGIT "," BERN "}", Stage::Parse,
       "bad.json: /data/csv: ", {"expected a string, found 3"}},
      {"data.target missing", R"json({"data": {"csv": "binary.csv"},)json" LOGIT "," BERN "}", Stage::Parse,
       "bad.json: /data/target: ", {"required key is missing"}},
      {"data.target empty", R"json({"data": {"csv": "binary.csv", "target": ""},)json" LOGIT "," BERN "}",
       Stage::Parse, "bad.json: /data/target: ", {"expected a non-empty string, found \"\""}},
      {"features not a list", R"json({"data": {"csv": "binary.csv", "target": "am", "features": "wt"},)json" LOGIT
                              "," BERN "}",
       Stage::Parse, "bad.json: /data/features: ", {"expected a list of column names, found \"wt\""}},
      {"a feature not a string",
       R"json({"data": {"csv": "binary.csv", "target": "am", "features": ["wt", 2]},)json" LOGIT "," BERN "}",
       Stage::Parse, "bad.json: /data/features/1: ", {"expected a non-empty string, found 2"}},
      {"empty features list", R"json({"data": {"csv": "binary.csv", "target": "am", "features": []},)json" LOGIT
                              "," BERN "}",
       Stage::Parse, "bad.json: /data/features: ", {"expected at least one column name", "omit the key"}},
      {"target listed among features",
       R"json({"data": {"csv": "binary.csv", "target": "am", "features": ["wt", "am"]},)json" LOGIT "," BERN "}",
       Stage::Parse, "bad.json: /data/features/1: ", {"\"am\" is the target", "cannot also be a feature"}},
      {"feature listed twice",
       R"json({"data": {"csv": "binary.csv", "target": "am", "features": ["wt", "hp", "wt"]},)json" LOGIT "," BERN
       "}",
       Stage::Parse, "bad.json: /data/features/2: ", {"\"wt\" is listed twice"}},
      {"drop_missing a string",
       R"json({"data": {"csv": "binary.csv", "target": "am", "drop_missing": "yes"},)json" LOGIT "," BERN "}",
       Stage::Parse, "bad.json: /data/drop_missing: ", {"expected true or false, found \"yes\""}},
      {"unknown key in data near \"features\"",
       R"json({"data": {"csv": "binary.csv", "target": "am", "featurs": ["wt"]},)json" LOGIT "," BERN "}",
       Stage::Parse, "bad.json: /data/featurs: ", {"unknown key", "did you mean \"features\"?"}},

      // ---- model
      {"model missing", R"json({)json" DATA "," BERN "}", Stage::Parse, "bad.json: /model: ",
       {"required key is missing"}},
      {"model not a list", R"json({)json" DATA R"json(, "model": {"type": "linear", "units": 1},)json" BERN "}",
       Stage::Parse, "bad.json: /model: ", {"expected a list of layers", "found an object"}},
      {"empty model list", R"json({)json" DATA R"json(, "model": [],)json" BERN "}", Stage::Parse,
       "bad.json: /model: ", {"expected at least one layer, found an empty list"}},
      {"a layer not an object", R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1}, "sigmoid"],)json" BERN "}",
       Stage::Parse, "bad.json: /model/1: ", {"expected an object", "found \"sigmoid\""}},
      {"layer type missing", R"json({)json" DATA R"json(, "model": [{"units": 1}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/type: ", {"required key is missing", "linear", "sigmoid"}},
      {"unknown layer type near \"sigmoid\"",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1}, {"type": "sigmoyd"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/1/type: ", {"found \"sigmoyd\"", "did you mean \"sigmoid\"?"}},
      {"linear units missing", R"json({)json" DATA R"json(, "model": [{"type": "linear"}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/units: ", {"required key is missing"}},
      {"units a string",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": "1"}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/units: ", {"expected an integer, found \"1\""}},
      {"units 0", R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 0}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/units: ", {"expected an integer in [1, 1000000]", "found 0"}},
      {"units -1", R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": -1}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/units: ", {"expected an integer in [1, 1000000]", "found -1"}},
      {"units 1.5",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1.5}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Parse, "bad.json: /model/0/units: ", {"expected an integer, found 1.5"}},
      {"bias a number",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1, "bias": 1}, {"type": "sigmoid"}],)json" BERN
       "}",
       Stage::Parse, "bad.json: /model/0/bias: ", {"expected true or false, found 1"}},
      {"unknown key in a linear layer near \"bias\"",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1, "biass": false}, {"type": "sigmoid"}],)json" BERN
       "}",
       Stage::Parse, "bad.json: /model/0/biass: ", {"unknown key", "did you mean \"bias\"?", "allowed here: bias, type, units"}},
      {"units on an activation layer",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1}, {"type": "sigmoid", "units": 1}],)json" BERN
       "}",
       Stage::Parse, "bad.json: /model/1/units: ", {"unknown key", "allowed here: type"}},

      // ---- likelihood
      {"likelihood missing", R"json({)json" DATA "," LOGIT "}", Stage::Parse, "bad.json: /likelihood: ",
       {"required key is missing"}},
      {"likelihood a string", R"json({)json" DATA "," LOGIT R"json(, "likelihood": "bernoulli"})json", Stage::Parse,
       "bad.json: /likelihood: ", {"expected an object", "found \"bernoulli\""}},
      {"likelihood.family missing", R"json({)json" DATA "," LOGIT R"json(, "likelihood": {}})json", Stage::Parse,
       "bad.json: /likelihood/family: ", {"required key is missing", "bernoulli", "gaussian"}},
      {"unknown family near \"bernoulli\"",
       R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "bernouli"}})json", Stage::Parse,
       "bad.json: /likelihood/family: ", {"found \"bernouli\"", "did you mean \"bernoulli\"?"}},
      {"unknown family far from any", R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "student"}})json",
       Stage::Parse, "bad.json: /likelihood/family: ",
       {"expected one of bernoulli, categorical, gaussian, poisson", "found \"student\""}},
      {"negative sigma", R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "gaussian", "sigma": -1}})json",
       Stage::Parse, "bad.json: /likelihood/sigma: ", {"expected a positive number, found -1"}},
      {"sigma 0", R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "gaussian", "sigma": 0}})json",
       Stage::Parse, "bad.json: /likelihood/sigma: ", {"expected a positive number, found 0"}},
      {"sigma \"fixed\"",
       R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "gaussian", "sigma": "fixed"}})json",
       Stage::Parse, "bad.json: /likelihood/sigma: ",
       {"expected a positive number or \"learned\"", "found \"fixed\""}},
      {"unknown key in likelihood near \"sigma\"",
       R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "gaussian", "sigmaa": 1}})json",
       Stage::Parse, "bad.json: /likelihood/sigmaa: ", {"unknown key", "did you mean \"sigma\"?"}},
      {"sigma on bernoulli", R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "bernoulli", "sigma": 1}})json",
       Stage::Parse, "bad.json: /likelihood/sigma: ", {"unknown key", "allowed here: family"}},
      {"categorical classes 1",
       R"json({)json" DATA "," LOGIT R"json(, "likelihood": {"family": "categorical", "classes": 1}})json",
       Stage::Parse, "bad.json: /likelihood/classes: ", {"expected an integer in [2, 1000000]", "found 1"}},

      // ---- fit
      {"fit not an object", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": "lbfgs"})json", Stage::Parse,
       "bad.json: /fit: ", {"expected an object", "found \"lbfgs\""}},
      {"unknown optimizer lbgfs", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "lbgfs"}})json",
       Stage::Parse, "bad.json: /fit/optimizer: ", {"expected one of lbfgs, newton, adam, sgd", "found \"lbgfs\"", "did you mean \"lbfgs\"?"}},
      {"unknown key in fit near \"optimizer\"",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimzer": "adam"}})json", Stage::Parse,
       "bad.json: /fit/optimzer: ", {"unknown key", "did you mean \"optimizer\"?"}},
      {"tolerance a string", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"tolerance": "1e-8"}})json",
       Stage::Parse, "bad.json: /fit/tolerance: ", {"expected a positive number, found \"1e-8\""}},
      {"tolerance 0", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"tolerance": 0}})json", Stage::Parse,
       "bad.json: /fit/tolerance: ", {"expected a positive number, found 0"}},
      {"max_iterations 0", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"max_iterations": 0}})json",
       Stage::Parse, "bad.json: /fit/max_iterations: ", {"expected an integer in [1, 100000000]", "found 0"}},
      {"seed -1", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"seed": -1}})json", Stage::Parse,
       "bad.json: /fit/seed: ", {"expected an integer >= 0, found -1"}},
      {"learning_rate -1",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "learning_rate": -1}})json",
       Stage::Parse, "bad.json: /fit/learning_rate: ", {"expected a positive number, found -1"}},
      {"momentum 1.5", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "sgd", "momentum": 1.5}})json",
       Stage::Parse, "bad.json: /fit/momentum: ", {"expected a number in [0, 0.999999]", "found 1.5"}},
      {"batch_size 0", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "sgd", "batch_size": 0}})json",
       Stage::Parse, "bad.json: /fit/batch_size: ", {"expected an integer >= 1, found 0"}},
      {"batch_size with lbfgs", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"batch_size": 2}})json",
       Stage::Parse, "bad.json: /fit/batch_size: ",
       {"batch_size applies to adam and sgd, not to optimizer \"lbfgs\"", "uses every row"}},
      {"memory with adam", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "memory": 5}})json",
       Stage::Parse, "bad.json: /fit/memory: ", {"memory applies to lbfgs, not to optimizer \"adam\""}},
      {"momentum with adam",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "momentum": 0.9}})json",
       Stage::Parse, "bad.json: /fit/momentum: ", {"momentum applies to sgd, not to optimizer \"adam\""}},
      {"standard_errors a string",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"standard_errors": "no"}})json", Stage::Parse,
       "bad.json: /fit/standard_errors: ", {"expected true or false, found \"no\""}},

      // ---- output
      {"output.dir a number", R"json({)json" DATA "," LOGIT "," BERN R"json(, "output": {"dir": 5}})json",
       Stage::Parse, "bad.json: /output/dir: ", {"expected a string, found 5"}},
      {"unknown key in output near \"plot\"",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "output": {"plots": false}})json", Stage::Parse,
       "bad.json: /output/plots: ", {"unknown key", "did you mean \"plot\"?", "allowed here: dir, plot"}},

      // ---- needs the data
      {"missing data file", R"json({"data": {"csv": "nowhere.csv", "target": "am"},)json" LOGIT "," BERN "}",
       Stage::Load, "$DIR/nowhere.csv: ", {"No such file"}},
      {"bernoulli target 2", R"json({"data": {"csv": "bad_binary.csv", "target": "am"},)json" LOGIT "," BERN "}",
       Stage::Load, "$DIR/bad_binary.csv: ", {"line 4, column \"am\"", "bernoulli needs 0 or 1, found 2"}},
      {"batch_size larger than the rows",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "batch_size": 100}})json",
       Stage::Load, "bad.json: /fit/batch_size: ", {"at most the number of observations (4 in", "found 100"}},
      {"bernoulli model without sigmoid", R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1}],)json" BERN "}",
       Stage::Load, "bad.json: /model/0: ",
       {"must end in {\"type\": \"sigmoid\"}", "found \"linear\"", "add a \"sigmoid\" layer"}},
      {"poisson model without exp",
       R"json({"data": {"csv": "counts.csv", "target": "n"}, "model": [{"type": "linear", "units": 1}],
               "likelihood": {"family": "poisson"}})json",
       Stage::Load, "bad.json: /model/0: ", {"must end in {\"type\": \"exp\"}", "add an \"exp\" layer"}},
      {"gaussian with 2 output units",
       R"json({"data": {"csv": "real.csv", "target": "y"}, "model": [{"type": "linear", "units": 2}],
               "likelihood": {"family": "gaussian"}})json",
       Stage::Load, "bad.json: /model/0: ", {"gaussian needs 1 output column", "the model gives 2", "units to 1"}},
      {"categorical with 1 unit for 3 classes",
       R"json({"data": {"csv": "classes.csv", "target": "y"},
               "model": [{"type": "linear", "units": 1}, {"type": "softmax"}],
               "likelihood": {"family": "categorical"}})json",
       Stage::Load, "bad.json: /model/1: ",
       {"categorical needs 3 output columns", "\"y\" has 3 classes", "the model gives 1", "set the last linear layer's units to 3"}},
      {"reference_class not among the classes",
       R"json({"data": {"csv": "classes.csv", "target": "y"},
               "model": [{"type": "linear", "units": 2}, {"type": "softmax"}],
               "likelihood": {"family": "categorical", "reference_class": "7"}})json",
       Stage::Load, "bad.json: /likelihood/reference_class: ", {"no class \"7\" in column \"y\"", "classes: 0, 1, 2"}},
      {"class label out of the declared range",
       R"json({"data": {"csv": "classes.csv", "target": "y"},
               "model": [{"type": "linear", "units": 2}, {"type": "softmax"}],
               "likelihood": {"family": "categorical", "classes": 2}})json",
       Stage::Load, "$DIR/classes.csv: ", {"line 4, column \"y\"", "out of range 0..1"}},
  };
  return cases;
}

#undef DATA
#undef LOGIT
#undef BERN

}  // namespace

TEST_CASE("bad configs are refused with the file, the JSON path and what was found", "[config]") {
  const auto& cases = corpus();
  REQUIRE(cases.size() >= 35);
  TempDir tmp;
  write_data(tmp);
  const std::string dir = fs::path(tmp.dir()).lexically_normal().string();

  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.description) {
      INFO("config: " << c.json);
      const nlohmann::json config = nlohmann::json::parse(c.json);
      std::string message;
      bool thrown = false;
      try {
        if (c.stage == Stage::Parse) {
          (void)parse_config(config, dir, "bad.json");
        } else {
          const auto parsed = parse_config(config, dir, "bad.json");  // must pass: only the data can tell
          (void)load_experiment(parsed);
        }
      } catch (const InputError& e) {
        thrown = true;
        message = e.what();
      }
      INFO("message: " << message);
      REQUIRE(thrown);
      CHECK(message.find('\n') == std::string::npos);
      const std::string prefix = substitute(c.prefix, dir);
      CHECK(message.compare(0, prefix.size(), prefix) == 0);
      for (const auto& phrase : c.phrases) CHECK_THAT(message, Catch::Matchers::Contains(phrase));
    }
  }
}

TEST_CASE("good configs parse, with defaults and paths resolved against the config's folder", "[config]") {
  TempDir tmp;
  write_data(tmp);
  const std::string dir = tmp.dir();

  SECTION("logistic regression with the defaults") {
    const auto config = parse_config(nlohmann::json::parse(R"json(
        {"data": {"csv": "binary.csv", "target": "am", "features": ["wt", "hp"]},
         "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}],
         "likelihood": {"family": "bernoulli"}})json"),
                                     dir, "good.json");
    CHECK(config.file == "good.json");
    CHECK(config.name == "good");
    CHECK(config.data.csv == tmp.path("binary.csv"));
    CHECK(config.data.target == "am");
    CHECK(config.data.features == std::vector<std::string>{"wt", "hp"});
    CHECK_FALSE(config.data.drop_missing);
    REQUIRE(config.model.size() == 2);
    CHECK(config.model[0].type == "linear");
    CHECK(config.model[0].path == "/model/0");
    CHECK(config.model[1].type == "sigmoid");
    CHECK(config.likelihood.type == "bernoulli");
    CHECK(config.likelihood.path == "/likelihood");
    CHECK(config.fit.optimizer.method == "lbfgs");
    CHECK(config.fit.standard_errors);
    CHECK_FALSE(config.fit.spread_init);
    CHECK(config.output.dir == tmp.path("runs/good"));
    CHECK(config.output.plot);

    const auto experiment = load_experiment(config);
    CHECK(experiment.data.rows() == 4);
    REQUIRE(experiment.model != nullptr);
  }

  SECTION("every section spelled out, stochastic optimizer") {
    const auto config = parse_config(nlohmann::json::parse(R"json(
        {"name": "probit-ish", "description": "free text",
         "data": {"csv": "real.csv", "target": "y", "drop_missing": true},
         "model": [{"type": "linear", "units": 3, "bias": false}, {"type": "tanh"}, {"type": "linear", "units": 1}],
         "likelihood": {"family": "gaussian", "sigma": "learned"},
         "fit": {"optimizer": "adam", "max_iterations": 10, "tolerance": 1e-6, "seed": 3,
                 "learning_rate": 0.01, "batch_size": 2, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7,
                 "standard_errors": false, "init": "random"},
         "output": {"dir": "out/here", "plot": false}})json"),
                                     dir, "good.json");
    CHECK(config.name == "probit-ish");
    CHECK(config.data.features.empty());
    CHECK(config.data.drop_missing);
    CHECK(config.model.size() == 3);
    CHECK(config.fit.optimizer.method == "adam");
    CHECK(config.fit.optimizer.max_iterations == 10);
    CHECK(config.fit.optimizer.batch_size == 2);
    CHECK(config.fit.optimizer.seed == 3);
    CHECK(config.fit.batch_size_path == "/fit/batch_size");
    CHECK_FALSE(config.fit.standard_errors);
    CHECK(config.fit.spread_init);
    CHECK(config.output.dir == tmp.path("out/here"));
    CHECK_FALSE(config.output.plot);
    const auto experiment = load_experiment(config);
    CHECK(experiment.data.rows() == 4);
  }

  SECTION("gaussian with a fixed sigma, sgd with momentum") {
    const auto config = parse_config(nlohmann::json::parse(R"json(
        {"data": {"csv": "real.csv", "target": "y", "features": ["x"]},
         "model": [{"type": "linear", "units": 1}],
         "likelihood": {"family": "gaussian", "sigma": 0.5},
         "fit": {"optimizer": "sgd", "momentum": 0.9, "batch_size": 4}})json"),
                                     dir, "good.json");
    CHECK(config.fit.optimizer.method == "sgd");
    CHECK(config.fit.optimizer.momentum == Approx(0.9));
    CHECK_NOTHROW(load_experiment(config));
  }

  SECTION("categorical with a reference class, poisson with exp") {
    const auto categorical = parse_config(nlohmann::json::parse(R"json(
        {"data": {"csv": "classes.csv", "target": "y"},
         "model": [{"type": "linear", "units": 2}, {"type": "softmax"}],
         "likelihood": {"family": "categorical", "reference_class": 0},
         "fit": {"optimizer": "newton"}})json"),
                                          dir, "good.json");
    CHECK(categorical.fit.optimizer.method == "newton");
    CHECK_NOTHROW(load_experiment(categorical));

    const auto poisson = parse_config(nlohmann::json::parse(R"json(
        {"data": {"csv": "counts.csv", "target": "n"},
         "model": [{"type": "linear", "units": 1}, {"type": "exp"}],
         "likelihood": {"family": "poisson"}})json"),
                                      dir, "good.json");
    CHECK_NOTHROW(load_experiment(poisson));
  }

  SECTION("an absolute csv path is kept") {
    const std::string csv = tmp.path("binary.csv");
    nlohmann::json j = nlohmann::json::parse(R"json(
        {"data": {"target": "am"}, "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}],
         "likelihood": {"family": "bernoulli"}})json");
    j["data"]["csv"] = csv;
    CHECK(parse_config(j, "/somewhere/else", "good.json").data.csv == csv);
  }
}

TEST_CASE("load_config names the config file: invalid JSON with line and column, a missing file", "[config]") {
  TempDir tmp;
  write_data(tmp);

  SECTION("invalid JSON") {
    // Line 3 lacks the comma after the data object: the parser stops at the end of the next key,
    // "model", whose closing quote is line 4, column 9.
    const std::string path = tmp.write("broken.json",
                                       "{\n"
                                       "  \"data\": {\"csv\": \"binary.csv\",\n"
                                       "           \"target\": \"am\"}\n"
                                       "  \"model\": []\n"
                                       "}\n");
    try {
      (void)load_config(path);
      FAIL("load_config accepted invalid JSON");
    } catch (const InputError& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message.find('\n') == std::string::npos);
      CHECK(message.rfind(path + ": line 4, column 9: not valid JSON", 0) == 0);
      CHECK_THAT(message, Catch::Matchers::Contains("syntax error"));
    }
  }

  SECTION("a number beyond the range of a double") {
    // nlohmann/json throws out_of_range, not parse_error, for it: found by the config fuzzer.
    const std::string path = tmp.write("huge.json", "{\n  \"fit\": {\"tolerance\": 555000e001157599057}\n}\n");
    try {
      (void)load_config(path);
      FAIL("load_config accepted a number no double holds");
    } catch (const InputError& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message == path + ": line 2, column 24: the number 555000e001157599057 is beyond the range of a double "
                              "(expected a finite number)");
    }
  }

  SECTION("a missing config file") {
    const std::string path = tmp.path("absent.json");
    try {
      (void)load_config(path);
      FAIL("load_config accepted a missing file");
    } catch (const InputError& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message.rfind(path + ": no such file", 0) == 0);
      CHECK_THAT(message, Catch::Matchers::Contains("expected a JSON config"));
    }
  }

  SECTION("a good file: relative paths resolve against its folder, errors name it") {
    const std::string good = tmp.write("good.json",
                                       R"json({"data": {"csv": "binary.csv", "target": "am"},
                                               "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}],
                                               "likelihood": {"family": "bernoulli"}})json");
    const auto config = load_config(good);
    CHECK(config.file == good);
    CHECK(config.name == "good");
    CHECK(config.data.csv == tmp.path("binary.csv"));

    const std::string bad = tmp.write("bad_units.json",
                                      R"json({"data": {"csv": "binary.csv", "target": "am"},
                                              "model": [{"type": "linear", "units": 0}, {"type": "sigmoid"}],
                                              "likelihood": {"family": "bernoulli"}})json");
    try {
      (void)load_config(bad);
      FAIL("load_config accepted units 0");
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::Matchers::StartsWith(bad + ": /model/0/units: "));
    }
  }
}

// Found by tests/fuzz/config_fuzzer: a config value built in memory (here from CBOR) holding a
// string that is not UTF-8 made the error message's dump() throw json's type_error 316.
TEST_CASE("a config value with bytes that are not UTF-8 is refused with a message, not a json exception", "[config]") {
  const nlohmann::json config = {{"name", "x"}, {"data", std::string("des\xb4" "c")}};
  try {
    tapegrad::models::parse_config(config, ".");
    FAIL("no error");
  } catch (const tapegrad::models::InputError& e) {
    CHECK(std::string(e.what()).find("/data") != std::string::npos);
  }
}
