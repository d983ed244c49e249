#pragma once
// What a fit leaves behind: the R-style summary a person reads, results.json that scripts read,
// the loss history (CSV) and, where gnuplot is installed, a plot of the loss curve.
#include <nlohmann/json.hpp>
#include <string>

#include "tapegrad/models/fit.hpp"

namespace tapegrad::models {

// results.json: log_likelihood, n_observations, n_parameters, aic, bic, converged, iterations,
// parameters [{name, value, std_error (null where unavailable)}], and more.
nlohmann::json to_json(const FitResults& results);

// The summary table: estimate, std. error, z value, Pr(>|z|) per parameter, then the
// log-likelihood, AIC, BIC, n, iterations and convergence.
std::string format_summary(const FitResults& results);

// Files written into `dir` (created if needed), each written whole to a temporary name and
// renamed, so an interrupted run never leaves a half-written file.
struct WrittenFiles {
  std::string results;  // results.json
  std::string history;  // loss_history.csv
  std::string plot;     // loss.svg; "" when gnuplot is not installed or plotting is off
  std::string plot_note;  // why there is no plot
};
WrittenFiles write_outputs(const FitResults& results, const std::string& dir, bool plot);

// Writes `text` to `path` through a temporary file and a rename. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace tapegrad::models
