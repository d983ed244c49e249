#include "tapegrad/models/report.hpp"

#include "tapegrad/models/output_files.hpp"
#include "tapegrad/models/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace tapegrad::models {

namespace fs = std::filesystem;

namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Two-sided p-value of a standard normal z: Pr(|Z| > |z|) = erfc(|z| / sqrt 2).
double p_value(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

std::string stars(double p) {
  if (p < 0.001) return "***";
  if (p < 0.01) return "**";
  if (p < 0.05) return "*";
  if (p < 0.1) return ".";
  return "";
}

std::string fixed(double v, int precision) {
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

// A z value: three decimals where that is short, three significant digits where it is not.
std::string format_z(double z) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, std::abs(z) < 1e6 ? "%.3f" : "%.3g", z);
  return buffer;
}

// `text` right-aligned in `width`, after at least one space: columns never run together,
// whatever the magnitude of a number or the length of a name.
void cell(std::ostream& out, const std::string& text, std::size_t width) {
  out << ' ' << std::string(width > text.size() ? width - text.size() : 0, ' ') << text;
}

std::string format_p(double p) {
  if (p < 2e-16) return "<2e-16";
  std::ostringstream s;
  s << std::setprecision(3) << p;
  return s.str();
}

}  // namespace

nlohmann::json to_json(const FitResults& r) {
  nlohmann::json j;
  j["name"] = r.name;
  j["family"] = r.family;
  j["optimizer"] = r.optimizer;
  j["log_likelihood"] = number_or_null(r.log_likelihood);
  j["n_observations"] = r.n_observations;
  j["n_parameters"] = r.n_parameters;
  j["aic"] = number_or_null(r.aic);
  j["bic"] = number_or_null(r.bic);
  j["converged"] = r.converged;
  j["interrupted"] = r.interrupted;
  j["status"] = to_string(r.status);
  j["message"] = r.message;
  j["iterations"] = r.iterations;
  j["evaluations"] = r.evaluations;
  j["gradient_max"] = number_or_null(r.gradient_max);
  j["newton_decrement"] = number_or_null(r.newton_decrement);  // null: not computed (fit.hpp)
  j["inference"] = to_string(r.inference);
  if (!r.inference_note.empty()) j["inference_note"] = r.inference_note;
  if (!r.diverging_parameters.empty()) {
    j["diverging_parameters"] = r.diverging_parameters;
    j["diverging_signs"] = r.diverging_signs;
  }
  if (!r.flat_parameters.empty()) j["flat_parameters"] = r.flat_parameters;
  j["parameters"] = nlohmann::json::array();
  for (const auto& p : r.parameters)
    j["parameters"].push_back({{"name", p.name}, {"value", number_or_null(p.value)}, {"std_error", number_or_null(p.std_error)}});
  j["seconds"] = {{"load", r.load_seconds}, {"fit", r.fit_seconds}, {"inference", r.inference_seconds}};
  j["threads"] = r.threads;
  j["processes"] = r.processes;
  return j;
}

std::string format_summary(const FitResults& r) {
  std::ostringstream out;
  if (!r.converged)
    out << "NOT CONVERGED: these are not maximum-likelihood estimates, and no inference is drawn from them.\n";
  out << r.name << ": " << r.family << " likelihood, " << r.n_parameters << " parameters, n = " << r.n_observations
      << ", optimizer " << r.optimizer << "\n\n";
  std::size_t width = 9;
  for (const auto& p : r.parameters) width = std::max(width, p.name.size());
  // p-values and stars only for a converged fit with standard errors: never for a stopping point.
  const bool with_se = r.converged && r.inference == Inference::standard_errors;
  const bool diverged = r.inference == Inference::no_finite_mle;
  if (r.parameters.empty()) {
    out << "(no free parameters: the likelihood of the model as it is fixed)\n";
  } else {
    out << std::string(width, ' ');
    cell(out, diverged ? "Last iterate" : r.converged ? "Estimate" : "Last iterate", 13);
    if (with_se) {
      cell(out, "Std. Error", 11);
      cell(out, "z value", 8);
      cell(out, "Pr(>|z|)", 9);
    }
    out << "\n";
  }
  for (const auto& p : r.parameters) {
    out << p.name << std::string(width - p.name.size(), ' ');
    cell(out, fixed(p.value, 7), 13);
    const auto at = std::find(r.diverging_parameters.begin(), r.diverging_parameters.end(), p.name);
    if (diverged && at != r.diverging_parameters.end())
      out << "  -> " << (r.diverging_signs[static_cast<std::size_t>(at - r.diverging_parameters.begin())] > 0 ? "+inf" : "-inf");
    if (with_se) {
      const double z = p.value / p.std_error;
      const double pv = p_value(z);
      cell(out, fixed(p.std_error, 5), 11);
      cell(out, format_z(z), 8);
      cell(out, format_p(pv), 9);
      out << " " << stars(pv);
    }
    out << "\n";
  }
  if (with_se && !r.parameters.empty()) out << "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n";
  if (!r.inference_note.empty()) out << "\nNo standard errors: " << r.inference_note << ".\n";
  out << "\nLog-likelihood: " << std::setprecision(10) << r.log_likelihood << " (df = " << r.n_parameters << ")"
      << "   AIC: " << std::setprecision(8) << r.aic << "   BIC: " << r.bic << "\n";
  out << "n = " << r.n_observations << ", iterations = " << r.iterations << ", converged: " << (r.converged ? "yes" : "no")
      << (diverged ? " (no finite MLE)" : "") << std::setprecision(3) << " (max |gradient| " << r.gradient_max
      << ", log-likelihood a Newton step would still gain "
      << (std::isnan(r.newton_decrement) ? std::string("not computed") : fixed(r.newton_decrement, 3))
      << ")\n" << "fit: " << r.message << "\n";
  out << std::setprecision(3) << "time: load " << r.load_seconds << " s, fit " << r.fit_seconds << " s, standard errors "
      << r.inference_seconds << " s" << (r.threads > 1 ? ", " + std::to_string(r.threads) + " threads" : "")
      << (r.processes > 1 ? ", " + std::to_string(r.processes) + " processes" : "") << "\n";
  return out.str();
}

void write_file_atomically(const std::string& path, const std::string& text) {
  OutputFiles file;
  file.add(path, text);
  file.commit();
}

std::vector<std::string> output_paths(const std::string& dir, bool plot) {
  const fs::path folder = fs::absolute(dir).lexically_normal();
  std::vector<std::string> paths = {(folder / "results.json").string(), (folder / "loss_history.csv").string()};
  if (plot) {
    paths.push_back((folder / "loss.svg").string());
    paths.push_back((folder / "loss.csv").string());
  }
  return paths;
}

WrittenFiles write_outputs(const FitResults& r, const std::string& dir, bool plot, const std::vector<std::string>& inputs) {
  WrittenFiles files;
  const std::vector<std::string> paths = output_paths(dir, plot);
  files.results = paths[0];
  files.history = paths[1];
  OutputFiles set(inputs);
  std::ostringstream history;
  history << "iteration,loss,gradient_max,seconds\n" << std::setprecision(17);
  for (const auto& h : r.history) history << h.iteration << "," << h.value << "," << h.gradient_norm << "," << h.seconds << "\n";
  set.add(files.history, history.str());

  if (!plot) {
    files.plot_note = "plotting is off (output.plot)";
  } else {
    // Two panels: the loss itself, and max |gradient| on a log scale (where convergence shows).
    Series loss{"loss", {}, {}, true};
    Series gradient{"max |gradient|", {}, {}, true};
    for (const auto& h : r.history) {
      loss.x.push_back(h.iteration);
      loss.y.push_back(h.value);
      gradient.x.push_back(h.iteration);
      gradient.y.push_back(h.gradient_norm);
    }
    Figure figure;
    figure.title = r.name + " (" + r.optimizer + ")";
    figure.panels = {Panel{"mean negative log-likelihood", "iteration", "", false, {loss}},
                     Panel{"max |gradient|", "iteration", "", true, {gradient}}};
    files.plot = paths[2];
    files.plot_data = paths[3];
    set.add(files.plot, render_svg(figure));
    set.add(files.plot_data, plot_data_csv(figure));
  }
  // results.json last: it is renamed into place after the others, so a script that waits for
  // it finds the rest of the set already there.
  // Names come from the user's files (CSV headers) and may not be UTF-8: replaced, not thrown.
  set.add(files.results, to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  set.commit();
  return files;
}

WrittenFiles write_outputs(const FitResults& r, const std::string& dir, bool plot) { return write_outputs(r, dir, plot, {}); }

}  // namespace tapegrad::models
