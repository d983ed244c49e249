#pragma once
// What a fit leaves behind: the R-style summary a person reads, results.json that scripts read,
// the loss history (CSV) and a plot of the loss curve (SVG, drawn by tapegrad itself).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tapegrad/models/fit.hpp"

namespace tapegrad::models {

// results.json: log_likelihood, n_observations, n_parameters, aic, bic, converged, interrupted
// (a stop request cut the fit or its standard errors short), iterations,
// parameters [{name, value, std_error (null where unavailable)}], and more.
nlohmann::json to_json(const FitResults& results);

// The summary table: estimate, std. error, z value, Pr(>|z|) per parameter, then the
// log-likelihood, AIC, BIC, n, iterations and convergence.
std::string format_summary(const FitResults& results);

// The files of a run, written into `dir` (created if needed) as one set: all replaced together
// or none (output_files.hpp: unique temporaries, fsync, a lock on the folder, then the renames).
struct WrittenFiles {
  std::string results;    // results.json
  std::string history;    // loss_history.csv
  std::string plot;       // loss.svg; "" when plotting is off
  std::string plot_data;  // loss.csv, the plotted numbers; "" when plotting is off
  std::string plot_note;  // why there is no plot
};
// `inputs` (the config, the data): an output that is, or resolves to, one of them is refused
// with an InputError naming both, and nothing is written.
WrittenFiles write_outputs(const FitResults& results, const std::string& dir, bool plot,
                           const std::vector<std::string>& inputs);
// The same with no inputs to protect (results built in C++).
WrittenFiles write_outputs(const FitResults& results, const std::string& dir, bool plot);

// The paths write_outputs(dir, plot) writes, for checking them against the inputs before a fit.
std::vector<std::string> output_paths(const std::string& dir, bool plot);

// Writes `text` to `path` through a unique temporary file and a rename. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace tapegrad::models
