#pragma once
// Gradient checking, a public API: the tape's gradient against finite differences, one row per
// parameter, printable.
//
//   auto report = tapegrad::check_gradient(f, theta);   // f generic in its scalar type
//   std::cout << report;                                // one row per parameter, PASS/FAIL each
//   if (!report.passed) ...
//
// How a row is judged. A finite difference has an error of its own, so a fixed tolerance either
// fails correct gradients (a sum over 100,000 rows, a covariate of 60, a point where the
// gradient is 0) or passes wrong ones. Here every numeric derivative comes with an estimate of
// its own error, and a row fails only when the analytic value lies outside the numeric one by
// more than `error_multiple` times that estimate:
//
// - The derivative along coordinate i is Ridders' extrapolation: central differences at steps
//   h0, h0/2, h0/4, ... (at most 16, from h0 = 0.1 max(1, |x_i|), shrunk first while f is not
//   finite or throws there; they stop once f's rounding at the step exceeds the best error
//   estimate so far, as no smaller step can beat it), extrapolated in a Neville table that cancels the h^2, h^4, ... terms. The
//   table entry kept is the one with the smallest estimated error, so the step is chosen by
//   f's behaviour along that coordinate, not by |x_i| alone.
// - Its estimated error: the difference between that entry and its neighbours in the table
//   (the truncation error, and rounding noise where it shows) plus the rounding of f itself,
//   8 eps max|f(x +- h)| / h.
// - Every term scales with f, so the verdict is the same for a total over n rows and for its
//   mean, and at a point where the gradient is 0 (the MLE) as anywhere else.
// - The analytic value has rounding of its own (a gradient summed over 10^5 rows is good to
//   about 1e-10 relative), so a row is also granted rel_tol max(|analytic|, |numeric|), 1e-9 by
//   default, and abs_tol (0 by default): it passes when
//   |analytic - numeric| <= error_multiple * error + max(abs_tol, rel_tol max(|analytic|, |numeric|)).
// - A non-finite analytic or numeric value always fails.
//
// With `random_points` > 0 the check is repeated at that many points around x (offsets drawn
// from N(0, spread^2) per coordinate with `seed`), rows labelled by their point.
//
// The finite-difference code is compiled once (check.cpp) behind std::function; only the thin
// templates at the bottom, which call f with the right scalar type, are instantiated per f.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "tapegrad/autodiff/drivers.hpp"

namespace tapegrad {

struct CheckOptions {
  // A row fails when |analytic - numeric| is more than error_multiple times the numeric value's
  // estimated error, plus the allowance below.
  double error_multiple = 10;
  double rel_tol = 1e-9;  // allowance relative to max(|analytic|, |numeric|): the analytic value's rounding
  double abs_tol = 0;     // allowance in absolute terms
  // 0 (the default): Ridders' adaptive steps, as above. > 0: one fixed base step instead,
  // h_i = step * max(1, |x_i|), Richardson extrapolated from h_i and h_i / 2 unless richardson is
  // false; its error estimate is then the difference between the two steps' results.
  double step = 0;
  bool richardson = true;
  // Parameter names for the table; "theta[i]" where missing or empty.
  std::vector<std::string> names;
  // Points besides x (check_gradient and check_hessian): offsets from N(0, spread^2).
  int random_points = 0;
  std::uint64_t seed = 0;
  double spread = 0.5;
};

struct CheckRow {
  std::string name;
  double analytic = 0;
  double numeric = 0;
  double abs_error = 0;     // |analytic - numeric|; infinite when either is not finite
  double rel_error = 0;     // abs_error / max(|analytic|, |numeric|); 0 when both are 0
  bool passed = false;
  std::string note;         // why a row failed beyond the tolerances (a non-finite value)
  double error = 0;         // estimated error of `numeric`
  double allowed = 0;       // the largest abs_error that passes (see CheckOptions)
  double step = 0;          // the step behind `numeric`
  std::string point;        // "" for x itself, else "random point k"
  // abs_error / allowed: <= 1 passes (0 when abs_error is 0; infinite when nothing is allowed).
  double margin() const;
};

struct CheckReport {
  double value = 0;  // f at x
  std::vector<CheckRow> rows;
  bool passed = true;
  std::string row_kind = "parameters";  // what a row is, for the summary ("Hessian entries")
  std::size_t n_failed() const;
  double max_rel_error() const;
  // The row nearest to failing, or the worst failure: the largest margin (rows.size() if none).
  std::size_t worst() const;
  // An aligned table (parameter, analytic, numeric, |difference|, the numeric value's estimated
  // error, the allowed difference, PASS/FAIL), then the summary unless with_summary is false.
  std::string table(bool with_summary = true) const;
  // One line: verdict, number of rows, failures, and the worst row by its margin.
  std::string summary() const;
};

// Prints report.table().
std::ostream& operator<<(std::ostream& os, const CheckReport& report);

// A numeric derivative with its estimated error and the step that gave it.
struct NumericDerivative {
  double value;
  double error;
  double step;
};

// The numeric derivative of f along coordinate i at x, by the rules above.
NumericDerivative numeric_derivative(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                                     Eigen::Index i, const CheckOptions& options = {});
// Its value alone.
double finite_difference(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                         Eigen::Index i, const CheckOptions& options = {});

// Compares a given gradient with finite differences of f (f evaluated in double), at x only.
// Throws std::invalid_argument when analytic.size() != x.size().
CheckReport compare_gradient(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
                             const Eigen::VectorXd& analytic, const CheckOptions& options = {});

// Compares a given Hessian with finite differences of a gradient (rows named "H[i,j]"), at x only.
// Throws std::invalid_argument when analytic is not x.size() x x.size().
CheckReport compare_hessian(const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& gradient,
                            const Eigen::VectorXd& x, const Eigen::MatrixXd& analytic,
                            const CheckOptions& options = {});

// x, then options.random_points points around it (the same points for the same seed).
std::vector<Eigen::VectorXd> check_points(const Eigen::VectorXd& x, const CheckOptions& options);

namespace detail {
// f evaluated with T = double, however it takes its parameters (as detail::call_with does).
template <class F>
std::function<double(const Eigen::VectorXd&)> as_double_function(F& f) {
  return [&f](const Eigen::VectorXd& x) {
    std::vector<double> v(x.data(), x.data() + x.size());
    return static_cast<double>(call_with(f, v));
  };
}
// Runs compare(point) at every check point and puts the rows into one report labelled by point.
CheckReport over_points(const Eigen::VectorXd& x, const CheckOptions& options,
                        const std::function<CheckReport(const Eigen::VectorXd&)>& compare);
}  // namespace detail

// The tape's gradient of f against finite differences of f in double.
template <class F>
CheckReport check_gradient(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  return detail::over_points(x, options, [&](const Eigen::VectorXd& at) {
    const GradientResult exact = gradient(f, at);
    CheckReport report = compare_gradient(detail::as_double_function(f), at, exact.gradient, options);
    report.value = exact.value;
    return report;
  });
}

// The exact Hessian of f against finite differences of its exact gradient.
template <class F>
CheckReport check_hessian(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  return detail::over_points(x, options, [&](const Eigen::VectorXd& at) {
    const HessianResult exact = value_gradient_hessian(f, at);
    auto grad = [&f](const Eigen::VectorXd& y) { return gradient(f, y).gradient; };
    CheckReport report = compare_hessian(grad, at, exact.hessian, options);
    report.value = exact.value;
    return report;
  });
}

// For functions that only run on a tape (matrix nodes): the value is taken from the tape.
template <class F>
CheckReport check_gradient_on_tape(F&& f, const Eigen::VectorXd& x, const CheckOptions& options = {}) {
  return detail::over_points(x, options, [&](const Eigen::VectorXd& at) {
    const GradientResult exact = gradient(f, at);
    auto value = [&f](const Eigen::VectorXd& y) { return gradient(f, y).value; };
    CheckReport report = compare_gradient(value, at, exact.gradient, options);
    report.value = exact.value;
    return report;
  });
}

}  // namespace tapegrad
