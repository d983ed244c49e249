#include "tapegrad/autodiff/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

namespace tapegrad {

namespace {

std::string parameter_name(const CheckOptions& options, std::size_t i) {
  if (i < options.names.size() && !options.names[i].empty()) return options.names[i];
  return "theta[" + std::to_string(i) + "]";
}

CheckRow make_row(std::string name, double analytic, double numeric, const CheckOptions& options) {
  CheckRow row{std::move(name), analytic, numeric, 0, 0, false, ""};
  if (!std::isfinite(analytic) || !std::isfinite(numeric)) {
    row.abs_error = row.rel_error = INFINITY;
    row.note = !std::isfinite(analytic) ? "analytic value is not finite" : "numeric value is not finite";
    return row;
  }
  row.abs_error = std::abs(analytic - numeric);
  const double scale = std::max(std::abs(analytic), std::abs(numeric));
  row.rel_error = scale > 0 ? row.abs_error / scale : 0.0;
  row.passed = row.abs_error <= options.abs_tol || row.rel_error <= options.rel_tol;
  return row;
}

void finish(CheckReport& report) {
  report.passed = std::all_of(report.rows.begin(), report.rows.end(), [](const CheckRow& r) { return r.passed; });
}

}  // namespace

double finite_difference(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                         Eigen::Index i, const CheckOptions& options) {
  Eigen::VectorXd at = x;
  auto central = [&](double h) {
    // Use the step actually represented in floating point: (x + h) - x may differ from h.
    at[i] = x[i] + h;
    const double up_step = at[i] - x[i];
    const double up = f(at);
    at[i] = x[i] - h;
    const double down_step = x[i] - at[i];
    const double down = f(at);
    at[i] = x[i];
    return (up - down) / (up_step + down_step);
  };
  const double h = options.step * std::max(1.0, std::abs(x[i]));
  if (!options.richardson) return central(h);
  return (4 * central(h / 2) - central(h)) / 3;
}

CheckReport compare_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& analytic, const CheckOptions& options) {
  CheckReport report;
  report.value = f(x);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double numeric = finite_difference(f, x, i, options);
    report.rows.push_back(make_row(parameter_name(options, static_cast<std::size_t>(i)), analytic[i], numeric, options));
  }
  finish(report);
  return report;
}

CheckReport compare_hessian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& gradient,
                            const Eigen::VectorXd& x, const Eigen::MatrixXd& analytic, const CheckOptions& options) {
  CheckReport report;
  const Eigen::Index n = x.size();
  Eigen::MatrixXd numeric(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    // Column j: d(gradient)/d x_j, each component by the same rule as finite_difference.
    for (Eigen::Index i = 0; i < n; ++i) {
      auto component = [&](const Eigen::VectorXd& at) { return gradient(at)[i]; };
      numeric(i, j) = finite_difference(component, x, j, options);
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      report.rows.push_back(
          make_row("H[" + std::to_string(i) + "," + std::to_string(j) + "]", analytic(i, j), numeric(i, j), options));
    }
  }
  finish(report);
  return report;
}

std::size_t CheckReport::n_failed() const {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const CheckRow& r) { return !r.passed; }));
}

double CheckReport::max_rel_error() const {
  double m = 0;
  for (const CheckRow& r : rows) m = std::max(m, r.rel_error);
  return m;
}

std::string CheckReport::summary() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s: %zu parameters, %zu failed, largest relative error %.3g",
                passed ? "PASS" : "FAIL", rows.size(), n_failed(), max_rel_error());
  return buf;
}

std::string CheckReport::table() const {
  std::size_t width = 9;
  for (const CheckRow& r : rows) width = std::max(width, r.name.size());
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-*s  %16s  %16s  %10s  %10s  %s\n", static_cast<int>(width), "parameter",
                "analytic", "numeric", "abs error", "rel error", "verdict");
  out << line;
  for (const CheckRow& r : rows) {
    std::snprintf(line, sizeof line, "%-*s  %16.9g  %16.9g  %10.2e  %10.2e  %s%s%s\n", static_cast<int>(width),
                  r.name.c_str(), r.analytic, r.numeric, r.abs_error, r.rel_error, r.passed ? "PASS" : "FAIL",
                  r.note.empty() ? "" : ": ", r.note.c_str());
    out << line;
  }
  out << summary() << "\n";
  return out.str();
}

std::ostream& operator<<(std::ostream& os, const CheckReport& report) { return os << report.table(); }

}  // namespace tapegrad
