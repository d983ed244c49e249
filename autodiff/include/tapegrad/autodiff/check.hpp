#pragma once
// Gradient checking, a public API: the tape's gradient against finite differences, one row per
// parameter, printable.
//
//   auto report = tapegrad::check_gradient(f, theta);   // f generic in its scalar type
//   std::cout << report;                                // name, analytic, numeric, errors, PASS/FAIL
//   if (!report.passed) ...
//
// The numeric derivative is a central difference with a step scaled to each parameter,
// h_i = step * max(1, |x_i|), improved by Richardson extrapolation: D(h) and D(h/2) combine
// to (4 D(h/2) - D(h)) / 3, whose error is O(h^4) instead of O(h^2).
//
// The finite-difference code is compiled once (check.cpp) behind std::function; only the thin
// templates at the bottom, which call f with the right scalar type, are instantiated per f.

#include <Eigen/Core>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "tapegrad/autodiff/drivers.hpp"

namespace tapegrad {

struct CheckOptions {
  // A row passes when abs_error <= abs_tol or rel_error <= rel_tol.
  double rel_tol = 1e-6;
  double abs_tol = 1e-8;
  // Base step, scaled by max(1, |x_i|). 0 picks the step that balances truncation against
  // rounding: 1e-3 (about eps^(1/5)) with Richardson, whose truncation error is O(h^4);
  // 6.06e-6 (cbrt(eps)) for a plain central difference, whose truncation error is O(h^2).
  double step = 0;
  bool richardson = true;
  // Parameter names for the table; "theta[i]" where missing or empty.
  std::vector<std::string> names;
};

// The base step the options stand for (resolves step == 0 as documented above).
double effective_step(const CheckOptions& options);

struct CheckRow {
  std::string name;
  double analytic;
  double numeric;
  double abs_error;  // |analytic - numeric|; infinite when either is not finite
  double rel_error;  // abs_error / max(|analytic|, |numeric|); 0 when both are 0
  bool passed;
  std::string note;  // why a row failed beyond the tolerances (a non-finite value)
};

struct CheckReport {
  double value = 0;  // f at x
  std::vector<CheckRow> rows;
  bool passed = true;
  std::string row_kind = "parameters";  // what a row is, for the summary ("Hessian entries")
  std::size_t n_failed() const;
  double max_rel_error() const;
  // An aligned table (parameter, analytic, numeric, abs error, rel error, PASS/FAIL), then the
  // summary unless with_summary is false (a caller that prints only some rows, then the summary).
  std::string table(bool with_summary = true) const;
  // One line: verdict, number of rows, failures, largest relative error.
  std::string summary() const;
};

// Prints report.table().
std::ostream& operator<<(std::ostream& os, const CheckReport& report);

// The numeric derivative of f along coordinate i at x, by the rules above.
double finite_difference(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                         Eigen::Index i, const CheckOptions& options = {});

// Compares a given gradient with finite differences of f (f evaluated in double).
// Throws std::invalid_argument when analytic.size() != x.size().
CheckReport compare_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& analytic, const CheckOptions& options = {});

// Compares a given Hessian with finite differences of a gradient (rows named "H[i,j]").
// Throws std::invalid_argument when analytic is not x.size() x x.size().
CheckReport compare_hessian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& gradient,
                            const Eigen::VectorXd& x, const Eigen::MatrixXd& analytic,
                            const CheckOptions& options = {});

namespace detail {
// f evaluated with T = double, however it takes its parameters (as detail::call_with does).
template <class F>
std::function<double(const Eigen::VectorXd&)> as_double_function(F& f) {
  return [&f](const Eigen::VectorXd& x) {
    std::vector<double> v(x.data(), x.data() + x.size());
    return static_cast<double>(call_with(f, v));
  };
}
}  // namespace detail

// The tape's gradient of f at x against finite differences of f in double.
template <class F>
CheckReport check_gradient(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  const GradientResult exact = gradient(f, x);
  CheckReport report = compare_gradient(detail::as_double_function(f), x, exact.gradient, options);
  report.value = exact.value;
  return report;
}

// The exact Hessian of f at x against finite differences of its exact gradient.
template <class F>
CheckReport check_hessian(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  const HessianResult exact = value_gradient_hessian(f, x);
  auto grad = [&f](const Eigen::VectorXd& at) { return gradient(f, at).gradient; };
  CheckReport report = compare_hessian(grad, x, exact.hessian, options);
  report.value = exact.value;
  return report;
}

// For functions that only run on a tape (matrix nodes): the value is taken from the tape.
template <class F>
CheckReport check_gradient_on_tape(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  const GradientResult exact = gradient(f, x);
  auto value = [&f](const Eigen::VectorXd& at) { return gradient(f, at).value; };
  CheckReport report = compare_gradient(value, x, exact.gradient, options);
  report.value = exact.value;
  return report;
}

}  // namespace tapegrad
