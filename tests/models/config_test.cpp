// parse_config / load_config / load_experiment on bad configs: every mistake must be an
// InputError naming the file and the JSON path (or, for bad data, the data file, column and
// row), saying what was found and what was expected. A corpus of bad configs runs through one
// loop; a few good configs must parse.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tapegrad/cli/app.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/text.hpp"
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
  Text,   // load_config must refuse the file's text (what a JSON value cannot hold: a key twice)
  Parse,  // parse_config must throw
  Load,   // parse_config must accept it; load_experiment (which reads the data) must throw
};

struct BadConfig {
  std::string description;
  std::string json;
  Stage stage;
  std::string prefix;                // the message starts with this ("$DIR" is the data folder;
                                     // "bad.json" is "$DIR/bad.json" when read from the file)
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
       Stage::Parse, "bad.json: /fit/optimizer: ", {"expected one of auto, trust_region, trust_region_cg, lbfgs, newton, adam, sgd", "found \"lbgfs\"", "did you mean \"lbfgs\"?"}},
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
       {"batch_size applies to adam and sgd, not to optimizer \"auto\"", "uses every row"}},
      {"memory with adam", R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "memory": 5}})json",
       Stage::Parse, "bad.json: /fit/memory: ", {"memory applies to lbfgs and auto, not to optimizer \"adam\""}},
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

      // ---- echoed text is shortened and escaped
      {"a key holding control characters",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fi\u0007t\nx": {}})json", Stage::Parse,
       "bad.json: /fi\\x07t\\nx: ", {"unknown key"}},
      {"a value holding control characters",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "ad\u0000am\t"}})json", Stage::Parse,
       "bad.json: /fit/optimizer: ", {"found \"ad\\x00am\\t\""}},
      {"a 100-character unknown key",
       R"json({)json" DATA "," LOGIT "," BERN
       R"json(, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv": 1})json",
       Stage::Parse, "bad.json: /abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh... (100 characters): ",
       {"unknown key"}},
      {"tolerance below the smallest normal double",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"tolerance": 5e-324}})json", Stage::Parse,
       "bad.json: /fit/tolerance: ", {"expected a positive number of at least 2.2250738585072e-308", "found 5e-324"}},
      {"epsilon below the smallest normal double",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"optimizer": "adam", "epsilon": 1e-310}})json",
       Stage::Parse, "bad.json: /fit/epsilon: ", {"smallest normal double", "found 1e-310"}},

      // ---- the text of the file (load_config only: a JSON value cannot hold these)
      {"a key twice at the top level",
       "{\"name\": \"a\",\n" DATA ",\n" LOGIT ",\n" BERN ",\n\"name\": \"b\"}", Stage::Text,
       "bad.json: line 5, column 1: /name: ", {"the key \"name\" appears twice in this object", "first at line 1, column 2"}},
      {"a key twice in a nested object",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"tolerance": 1e-6, "seed": 1, "tolerance": 1e-9}})json",
       Stage::Text, "bad.json: line 1, column ", {"/fit/tolerance: the key \"tolerance\" appears twice", "first at line 1, column"}},
      {"a key twice in a layer, once written with an escape",
       R"json({)json" DATA R"json(, "model": [{"type": "linear", "units": 1, "\u0075nits": 2}, {"type": "sigmoid"}],)json" BERN "}",
       Stage::Text, "bad.json: line 1, column ", {"/model/0/units: the key \"units\" appears twice"}},
      {"a number that reads as 0",
       R"json({)json" DATA "," LOGIT "," BERN R"json(, "fit": {"tolerance": 1e-400}})json", Stage::Text,
       "bad.json: line 1, column ", {"/fit/tolerance: the number 1e-400 is too close to 0 for a double"}},
      {"a number beyond a double after a string holding the same text",
       "{\"name\": \"1e999\",\n" DATA ",\n" LOGIT ",\n" BERN ",\n\"fit\": {\"tolerance\": 1e999}}", Stage::Text,
       "bad.json: line 5, column 22: ", {"the number 1e999 is beyond the range of a double"}},
      {"nested 70 deep", R"json({"name": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})json",
       Stage::Text, "bad.json: line 1, column 73: ", {"nested more than 64 deep"}},
      {"not JSON at all", "{\"name\": tapegrad}", Stage::Text, "bad.json: line 1, column 11: not valid JSON",
       {"syntax error"}},

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

// Runs `tapegrad fit CONFIG` in-process; returns the exit status and what went to stderr.
std::pair<int, std::string> run_fit(const std::string& config, const std::string& output) {
  const std::vector<std::string> args = {"tapegrad", "fit", config, "--output", output, "--no-plot", "--quiet"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int status = tapegrad::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, err.str()};
}

TEST_CASE("bad configs are refused with the file, the JSON path and what was found; the command exits 2", "[config]") {
  const auto& cases = corpus();
  REQUIRE(cases.size() >= 35);
  TempDir tmp;
  write_data(tmp);
  const std::string dir = fs::path(tmp.dir()).lexically_normal().string();
  const std::string file = dir + "/bad.json";

  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.description) {
      INFO("config: " << c.json);
      tmp.write("bad.json", c.json);
      std::string message;
      bool thrown = false;
      try {
        if (c.stage == Stage::Text) {
          (void)load_config(file);
        } else if (c.stage == Stage::Parse) {
          (void)parse_config(nlohmann::json::parse(c.json), dir, "bad.json");
        } else {
          const auto parsed = parse_config(nlohmann::json::parse(c.json), dir, "bad.json");  // must pass: only the data can tell
          (void)load_experiment(parsed);
        }
      } catch (const InputError& e) {
        thrown = true;
        message = e.what();
      }
      INFO("message: " << message);
      REQUIRE(thrown);
      CHECK(message.find('\n') == std::string::npos);
      CHECK(message.size() < 1000);
      std::string prefix = substitute(c.prefix, dir);
      if (c.stage == Stage::Text) prefix = dir + "/" + prefix;
      CHECK(message.compare(0, prefix.size(), prefix) == 0);
      for (const auto& phrase : c.phrases) CHECK_THAT(message, Catch::Matchers::Contains(phrase));

      // The command: exit status 2 and the same message (naming the file as given).
      const auto [status, err] = run_fit(file, dir + "/out");
      CHECK(status == 2);
      const std::string expected = message.rfind("bad.json", 0) == 0 ? dir + "/" + message : message;
      CHECK(err == "tapegrad: " + expected + "\n");
      CHECK_FALSE(fs::exists(dir + "/out"));
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
    CHECK(config.fit.optimizer.method == "auto");
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

// The config path: what is not a readable regular file of at most 16 MiB is an InputError naming
// the path and what was found, and the command exits 2 with it (never a raw filesystem error, a
// JSON error about an empty text, or a read without end).
TEST_CASE("a config path that is not a readable regular file is refused, naming what was found", "[config]") {
  TempDir tmp;
  const std::string file = tmp.write("plain.json", "{}");
  const auto refused = [&](const std::string& path, const std::string& phrase) {
    INFO("path: " << path.substr(0, 300));
    std::string message;
    try {
      (void)load_config(path);
    } catch (const InputError& e) {
      message = e.what();
    }
    INFO("message: " << message);
    CHECK_THAT(message, Catch::Matchers::Contains(phrase) && Catch::Matchers::Contains("(expected a JSON config file)"));
    CHECK(message.size() < 400);
    const auto [status, err] = run_fit(path, tmp.path("out"));
    CHECK(status == 2);
    CHECK(err == "tapegrad: " + message + "\n");
    return message;
  };

  SECTION("a path through a regular file") {
    const std::string message = refused(file + "/x.json", "a part of the path before the file name is not a folder");
    CHECK(message.rfind(file + "/x.json: cannot be opened: ", 0) == 0);
  }
  SECTION("a symbolic link loop") {
    fs::create_symlink(tmp.path("b.json"), tmp.path("a.json"));
    fs::create_symlink(tmp.path("a.json"), tmp.path("b.json"));
    refused(tmp.path("a.json"), "too many levels of symbolic links");
  }
  SECTION("a name too long: the message shows its start and its length") {
    const std::string path = tmp.path(std::string(5000, 'n') + ".json");
    const std::string message = refused(path, "the name is too long");
    CHECK_THAT(message, Catch::Matchers::Contains("... (" + std::to_string(path.size()) + " characters)"));
  }
  SECTION("a folder") { CHECK(refused(tmp.dir(), "is a folder") == tmp.dir() + ": is a folder (expected a JSON config file)"); }
  SECTION("a character device") { refused("/dev/zero", "/dev/zero: is a character device"); }
  SECTION("a named pipe nobody writes to: refused at once, not waited on") {
    REQUIRE(::mkfifo(tmp.path("pipe.json").c_str(), 0600) == 0);
    refused(tmp.path("pipe.json"), "is a named pipe");
  }
  SECTION("a symbolic link to a folder") {
    fs::create_directory_symlink(tmp.dir(), tmp.path("link"));
    refused(tmp.path("link"), "is a folder");
  }
  SECTION("larger than 16 MiB") {
    const std::string big = tmp.write("big.json", "[" + std::string(tapegrad::models::kMaxConfigBytes, ' ') + "]");
    refused(big, std::to_string(tapegrad::models::kMaxConfigBytes + 2) + " bytes or more; a config is at most 16777216 bytes");
  }
  SECTION("an empty path") { refused("", "the config path is empty"); }
  SECTION("permission denied (as another user when the tests run as root)") {
    // Root reads any file: the check runs in a child process that gives up root first.
    const std::string secret = tmp.write("secret.json", "{}");
    fs::permissions(secret, fs::perms::owner_write);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      if (::geteuid() == 0 && ::setuid(65534) != 0) ::_exit(3);
      try {
        (void)load_config(secret);
      } catch (const InputError& e) {
        ::_exit(std::string(e.what()) == secret + ": cannot be opened: permission denied (expected a JSON config file)" ? 0 : 1);
      }
      ::_exit(2);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  SECTION("a good config through a symbolic link is read") {
    write_data(tmp);
    tmp.write("good.json", R"json({"data": {"csv": "binary.csv", "target": "am"},
                                   "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}],
                                   "likelihood": {"family": "bernoulli"}})json");
    fs::create_symlink(tmp.path("good.json"), tmp.path("link.json"));
    CHECK(load_config(tmp.path("link.json")).data.csv == tmp.path("binary.csv"));
  }
}

TEST_CASE("a megabyte-long unknown key is shown shortened, with its length", "[config]") {
  TempDir tmp;
  write_data(tmp);
  const std::string key = "k" + std::string(999999, 'e');
  const std::string path = tmp.write("long.json", R"json({"data": {"csv": "binary.csv", "target": "am"},
      "model": [{"type": "linear", "units": 1}, {"type": "sigmoid"}], "likelihood": {"family": "bernoulli"}, ")json" +
                                                      key + "\": 1}");
  std::string message;
  try {
    (void)load_config(path);
  } catch (const InputError& e) {
    message = e.what();
  }
  INFO(message.substr(0, 500));
  CHECK(message.rfind(path + ": /k" + std::string(59, 'e') + "... (1000000 characters): unknown key", 0) == 0);
  CHECK(message.size() < 400);
  const auto [status, err] = run_fit(path, tmp.path("out"));
  CHECK(status == 2);
  CHECK(err == "tapegrad: " + message + "\n");
}

TEST_CASE("shorten: control characters escaped, UTF-8 kept whole, long text cut with its length", "[config][text]") {
  using tapegrad::models::shorten;
  CHECK(shorten("plain") == "plain");
  CHECK(shorten("a\nb\tc\rd\x01" "e\x7f\"\\") == "a\\nb\\tc\\rd\\x01e\\x7f\\\"\\\\");
  CHECK(shorten(std::string(60, 'x')) == std::string(60, 'x'));
  CHECK(shorten(std::string(61, 'x')) == std::string(60, 'x') + "... (61 characters)");
  // "é" is two bytes, one character: never cut in half, counted once.
  std::string accents;
  for (int i = 0; i < 70; ++i) accents += "\xc3\xa9";
  std::string sixty;
  for (int i = 0; i < 60; ++i) sixty += "\xc3\xa9";
  CHECK(shorten(accents) == sixty + "... (70 characters)");
  CHECK(shorten("bad \xff byte") == "bad \\xff byte");  // not UTF-8: escaped, so messages stay valid UTF-8
  CHECK(shorten("cut \xc3") == "cut \\xc3");
  CHECK(tapegrad::models::shorten_quoted("ab", 1) == "\"a... (2 characters)\"");
}

TEST_CASE("did_you_mean: linear in the lengths, a bounded distance that agrees with the full table", "[config][text]") {
  using tapegrad::models::did_you_mean;
  using tapegrad::models::detail::bounded_edit_distance;
  // The full table (the old implementation) as the reference.
  const auto full = [](const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
      for (std::size_t j = 1; j <= b.size(); ++j) {
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[a.size()][b.size()];
  };
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> length(0, 12), letter(0, 2);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string a, b;
    for (int k = length(rng); k > 0; --k) a += static_cast<char>('a' + letter(rng));
    for (int k = length(rng); k > 0; --k) b += static_cast<char>('a' + letter(rng));
    const std::size_t limit = static_cast<std::size_t>(trial % 5);
    const std::size_t expected = std::min(full(a, b), limit + 1);
    INFO(a << " / " << b << " limit " << limit);
    REQUIRE(bounded_edit_distance(a, b, limit) == expected);
  }

  CHECK(did_you_mean("lbgfs", {"lbfgs", "newton", "adam", "sgd"}) == std::optional<std::string>("lbfgs"));
  CHECK(did_you_mean("Featurs", {"target", "features"}) == std::optional<std::string>("features"));
  CHECK_FALSE(did_you_mean("student", {"bernoulli", "gaussian"}).has_value());
  // The nearest wins, the first of equals.
  CHECK(did_you_mean("abcdefghi", {"abcdefgxx", "abcdefghx", "abcdefghy"}) == std::optional<std::string>("abcdefghx"));
  // Long names near the cap are still matched.
  const std::string long_name(250, 'c');
  CHECK(did_you_mean(long_name + "x", {long_name}) == std::optional<std::string>(long_name));
  // A 30,000-character misspelt name against 30,000-character columns: no table of 30,000^2 cells
  // (7 GB before), and no suggestion (beyond 256 characters nothing is compared).
  const std::string huge(30000, 'q');
  const std::vector<std::string> columns = {huge + "r", "x", huge.substr(1)};
  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(did_you_mean(huge, columns).has_value());
  // 100,000 candidates of 256 characters each: the band keeps it to a few million steps.
  const std::vector<std::string> many(100000, std::string(255, 'a') + "z");
  CHECK(did_you_mean(std::string(256, 'a'), many) == std::optional<std::string>(many[0]));
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() < 10.0);
}

TEST_CASE("load_config: a NUL byte is refused where it stands, with what follows it never walked", "[config]") {
  // Found by the config fuzzer: the parser stopped at the NUL and accepted "{}", and the walk for
  // duplicate keys then met more closing brackets than opening ones.
  tapegrad::testing::TempDir dir;
  const std::string path = dir.write("nul.json", std::string("{}\n  ") + '\0' + "{\"a\": 1}}]}");
  try {
    tapegrad::models::load_config(path);
    FAIL("a config with a NUL byte was accepted");
  } catch (const tapegrad::models::InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("line 2, column 3: a NUL byte (expected JSON text)"));
  }
}
