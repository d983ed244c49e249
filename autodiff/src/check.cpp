#include "tapegrad/autodiff/check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace tapegrad {

namespace {

std::string parameter_name(const CheckOptions& options, std::size_t i) {
  if (i < options.names.size() && !options.names[i].empty()) return options.names[i];
  return "theta[" + std::to_string(i) + "]";
}

CheckRow make_row(std::string name, double analytic, double numeric, const CheckOptions& options) {
  CheckRow row{std::move(name), analytic, numeric, 0, 0, false, ""};
  const bool a_ok = std::isfinite(analytic), n_ok = std::isfinite(numeric);
  if (!a_ok || !n_ok) {
    // Two infinities of one sign agree numerically, but a gradient that overflows is a bug too.
    row.abs_error = row.rel_error = INFINITY;
    row.note = !a_ok && !n_ok ? "analytic and numeric values are not finite"
               : !a_ok        ? "analytic value is not finite"
                              : "numeric value is not finite";
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

// d/dx_i of f at x (f returns a double or a vector), by a central difference, Richardson
// extrapolated unless options say otherwise. One rule for gradients and Hessian columns.
template <class Result, class F>
Result central_derivative(const F& f, const Eigen::VectorXd& x, Eigen::Index i, const CheckOptions& options) {
  Eigen::VectorXd at = x;
  auto central = [&](double h) -> Result {
    // Divide by the steps actually represented: (x + h) - x may differ from h in floating point.
    at[i] = x[i] + h;
    const double up_step = at[i] - x[i];
    const Result up = f(at);
    at[i] = x[i] - h;
    const double down_step = x[i] - at[i];
    const Result down = f(at);
    at[i] = x[i];
    return (up - down) / (up_step + down_step);
  };
  const double h = effective_step(options) * std::max(1.0, std::abs(x[i]));
  if (!options.richardson) return central(h);
  // D(h) = f' + c h^2 + O(h^4), so (4 D(h/2) - D(h)) / 3 cancels the h^2 term.
  const Result coarse = central(h);
  const Result fine = central(h / 2);
  return (4 * fine - coarse) / 3;
}

// printf into a std::string (numbers only: names and notes are appended unformatted).
template <class... Args>
std::string format(const char* fmt, Args... args) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

double effective_step(const CheckOptions& options) {
  if (options.step > 0) return options.step;
  return options.richardson ? 1e-3 : std::cbrt(std::numeric_limits<double>::epsilon());
}

double finite_difference(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                         Eigen::Index i, const CheckOptions& options) {
  return central_derivative<double>(f, x, i, options);
}

CheckReport compare_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& analytic, const CheckOptions& options) {
  if (analytic.size() != x.size()) {
    throw std::invalid_argument("tapegrad::compare_gradient: the gradient has " + std::to_string(analytic.size()) +
                                " entries for " + std::to_string(x.size()) + " parameters");
  }
  CheckReport report;
  report.value = f(x);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double numeric = central_derivative<double>(f, x, i, options);
    report.rows.push_back(make_row(parameter_name(options, static_cast<std::size_t>(i)), analytic[i], numeric, options));
  }
  finish(report);
  return report;
}

CheckReport compare_hessian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& gradient,
                            const Eigen::VectorXd& x, const Eigen::MatrixXd& analytic, const CheckOptions& options) {
  const Eigen::Index n = x.size();
  if (analytic.rows() != n || analytic.cols() != n) {
    throw std::invalid_argument("tapegrad::compare_hessian: the Hessian is " + std::to_string(analytic.rows()) + " x " +
                                std::to_string(analytic.cols()) + " for " + std::to_string(n) + " parameters");
  }
  CheckReport report;
  report.row_kind = "Hessian entries";
  Eigen::MatrixXd numeric(n, n);
  // Column j is d(gradient)/dx_j: 2 (4 with Richardson) gradient evaluations per column.
  for (Eigen::Index j = 0; j < n; ++j) {
    numeric.col(j) = central_derivative<Eigen::VectorXd>(gradient, x, j, options);
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
  return std::string(passed ? "PASS" : "FAIL") + ": " + std::to_string(rows.size()) + " " + row_kind + ", " +
         std::to_string(n_failed()) + " failed, largest relative error " + format("%.3g", max_rel_error());
}

std::string CheckReport::table(bool with_summary) const {
  std::size_t width = 9;  // "parameter"
  for (const CheckRow& r : rows) width = std::max(width, r.name.size());
  auto pad = [&](const std::string& s) { return s + std::string(width - s.size(), ' '); };
  std::ostringstream out;
  out << pad("parameter")
      << format("  %19s  %19s  %10s  %10s  %s\n", "analytic", "numeric", "abs error", "rel error", "PASS/FAIL");
  for (const CheckRow& r : rows) {
    out << pad(r.name) << format("  %19.12g  %19.12g  %10.2e  %10.2e  ", r.analytic, r.numeric, r.abs_error, r.rel_error)
        << (r.passed ? "PASS" : "FAIL") << (r.note.empty() ? "" : ": ") << r.note << "\n";
  }
  if (with_summary) out << summary() << "\n";
  return out.str();
}

std::ostream& operator<<(std::ostream& os, const CheckReport& report) { return os << report.table(); }

}  // namespace tapegrad
