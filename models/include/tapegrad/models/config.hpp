#pragma once
// The JSON experiment config (the contract is in the project's design notes):
//
//   { "name": "mtcars-logistic",
//     "data": { "csv": "mtcars.csv", "target": "am", "features": ["wt", "hp"] },
//     "model": [ { "type": "linear", "units": 1 }, { "type": "sigmoid" } ],
//     "likelihood": { "family": "bernoulli" },
//     "fit": { "optimizer": "lbfgs", "max_iterations": 500, "tolerance": 1e-10, "seed": 0 },
//     "output": { "dir": "runs/mtcars-logistic" } }
//
// Every key is checked: a wrong type, an impossible value, a missing required key or an unknown
// key (with a did-you-mean) is an InputError naming the file and the JSON path. Paths in the
// config are relative to the config file.
//
// The config file must be a regular file (or a symbolic link to one) of at most 16 MiB
// (kMaxConfigBytes): a folder, a device such as /dev/zero, a named pipe, a larger file, a path
// that cannot be opened (no such file, permission denied, a symbolic link loop, a name too
// long) is an InputError naming the path and what was found. The JSON must be valid, with no
// key twice in one object, every number within the range of a double (and not so small that
// it reads as 0), nested at most 64 deep; errors give the line and column. Every user text
// echoed in a message (a key, a value, a name) is shortened to 60 characters with its length
// said, control characters escaped.
#include <nlohmann/json.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

struct DataConfig {
  std::string csv;                    // resolved against the config's folder
  std::string target;
  std::vector<std::string> features;  // empty: every column but the target
  bool drop_missing = false;          // drop rows with a missing cell instead of refusing them
};

// A layer or the likelihood: its JSON object, read again by its factory when the model is built.
struct ComponentConfig {
  std::string type;
  nlohmann::json options;
  std::string path;  // JSON path, "/model/0" or "/likelihood"
};

struct FitConfig {
  OptimizerOptions optimizer;
  bool standard_errors = true;  // Hessian at the estimate (p dual sweeps)
  std::size_t threads = 0;      // shards of the data evaluated in parallel; 0: every hardware thread
  bool spread_init = false;     // random starting weights even for a one-layer model
  std::string batch_size_path;  // where batch_size was set, for the check against the data
};

struct OutputConfig {
  std::string dir;    // resolved; by default runs/<name> beside the config
  bool plot = true;   // the loss curve, loss.svg (drawn by tapegrad) and its data, loss.csv
};

struct ExperimentConfig {
  std::string file;  // the config as named by the user ("<json>" for an in-memory value)
  std::string name;
  DataConfig data;
  std::vector<ComponentConfig> model;
  ComponentConfig likelihood;
  FitConfig fit;
  OutputConfig output;
};

// The largest config file read.
constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;

// Reads and validates a config file.
ExperimentConfig load_config(const std::string& path);
// Validates a config given as a JSON value; relative paths are resolved against `base_dir`,
// messages name `file`.
ExperimentConfig parse_config(const nlohmann::json& config, const std::string& base_dir,
                              const std::string& file = "<json>");

}  // namespace tapegrad::models
