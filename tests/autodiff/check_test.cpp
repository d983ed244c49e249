// The gradient-checking API (check.hpp): it must pass what is right, catch what is wrong, say
// which row and why, and its numeric derivative must be as accurate as documented.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tapegrad/autodiff.hpp"

using tapegrad::CheckOptions;
using tapegrad::CheckReport;

namespace {

// f(x) = sin(x0) x1 + exp(x1 / 2) + x0 x2^2, with its gradient by hand.
double smooth(const Eigen::VectorXd& x) { return std::sin(x[0]) * x[1] + std::exp(x[1] / 2) + x[0] * x[2] * x[2]; }
Eigen::VectorXd smooth_gradient(const Eigen::VectorXd& x) {
  Eigen::VectorXd g(3);
  g << std::cos(x[0]) * x[1] + x[2] * x[2], std::sin(x[0]) + 0.5 * std::exp(x[1] / 2), 2 * x[0] * x[2];
  return g;
}
Eigen::MatrixXd smooth_hessian(const Eigen::VectorXd& x) {
  Eigen::MatrixXd h(3, 3);
  h << -std::sin(x[0]) * x[1], std::cos(x[0]), 2 * x[2],  //
      std::cos(x[0]), 0.25 * std::exp(x[1] / 2), 0,        //
      2 * x[2], 0, 2 * x[0];
  return h;
}

Eigen::VectorXd point() {
  Eigen::VectorXd x(3);
  x << 0.7, -1.2, 1.9;
  return x;
}

// The line of the table that starts with this parameter name.
std::string row_line(const std::string& table, const std::string& name) {
  std::istringstream in(table);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, name.size() + 1, name + " ") == 0) return line;
  }
  return "";
}

// An op whose partial is wrong by 0.1%: a bug the check must see through the tape.
struct WrongExpOp {
  template <class R> static R value(const R& x) { using std::exp; return exp(x); }
  template <class R> static R partial(const R&, const R& f) { return f * 1.001; }
};
// An op whose partial is right in value but drops its tangent: first order is right, the
// Hessian is not.
struct FlatExpOp {
  template <class R> static R value(const R& x) { using std::exp; return exp(x); }
  template <class R> static R partial(const R&, const R& f) { return R(tapegrad::value_of(f)); }
};
template <class A, class R>
tapegrad::UnaryExpr<WrongExpOp, A, R> wrong_exp(const tapegrad::Expr<A, R>& a) {
  return tapegrad::UnaryExpr<WrongExpOp, A, R>(a.self());
}
double wrong_exp(double x) { return std::exp(x); }
template <class A, class R>
tapegrad::UnaryExpr<FlatExpOp, A, R> flat_exp(const tapegrad::Expr<A, R>& a) {
  return tapegrad::UnaryExpr<FlatExpOp, A, R>(a.self());
}
double flat_exp(double x) { return std::exp(x); }

// Takes an Eigen vector: check_gradient must call it with Eigen::Matrix<double, -1, 1> too.
struct EigenQuadratic {
  template <class T>
  T operator()(const Eigen::Matrix<T, Eigen::Dynamic, 1>& x) const {
    return x[0] * x[0] * x[1] + 3.0 * x[1];
  }
};

}  // namespace

TEST_CASE("check: a correct gradient passes", "[check]") {
  const Eigen::VectorXd x = point();
  const CheckReport r = tapegrad::compare_gradient(smooth, x, smooth_gradient(x));
  CHECK(r.passed);
  REQUIRE(r.rows.size() == 3);
  for (const auto& row : r.rows) CHECK(row.passed);
  CHECK(r.n_failed() == 0);
  CHECK(r.max_rel_error() < 1e-10);  // Richardson at the default step: far inside the tolerance
  CHECK(r.value == smooth(x));
}

TEST_CASE("check: a wrong gradient fails, in its own row only", "[check]") {
  const Eigen::VectorXd x = point();
  Eigen::VectorXd wrong = smooth_gradient(x);
  wrong[1] *= 1 + 1e-4;
  const CheckReport r = tapegrad::compare_gradient(smooth, x, wrong);
  CHECK_FALSE(r.passed);
  CHECK(r.n_failed() == 1);
  CHECK(r.rows[0].passed);
  CHECK_FALSE(r.rows[1].passed);
  CHECK(r.rows[2].passed);
  CHECK(r.rows[1].rel_error == Approx(1e-4 / (1 + 1e-4)).epsilon(1e-4));
  CHECK(r.rows[1].note.empty());  // an ordinary mismatch: no note
}

TEST_CASE("check: the table names every parameter and gives a PASS/FAIL verdict per row", "[check]") {
  const Eigen::VectorXd x = point();
  Eigen::VectorXd wrong = smooth_gradient(x);
  wrong[1] += 0.5;
  CheckOptions options;
  options.names = {"alpha", "beta_long_name"};  // the third is unnamed: theta[2]
  const CheckReport r = tapegrad::compare_gradient(smooth, x, wrong, options);
  const std::string table = r.table();
  INFO(table);
  CHECK(r.rows[0].name == "alpha");
  CHECK(r.rows[2].name == "theta[2]");
  const std::string header = table.substr(0, table.find('\n'));
  CHECK(header.find("parameter") == 0);
  CHECK(header.find("analytic") != std::string::npos);
  CHECK(header.find("numeric") != std::string::npos);
  CHECK(header.find("abs error") != std::string::npos);
  CHECK(header.find("rel error") != std::string::npos);
  const std::size_t verdict_column = header.find("PASS/FAIL");
  REQUIRE(verdict_column != std::string::npos);
  const std::string alpha = row_line(table, "alpha"), beta = row_line(table, "beta_long_name"),
                    theta = row_line(table, "theta[2]");
  CHECK(alpha.find("PASS") == verdict_column);  // aligned under the header, long names included
  CHECK(beta.find("FAIL") == verdict_column);
  CHECK(theta.find("PASS") == verdict_column);
  CHECK(table.find("FAIL: 3 parameters, 1 failed, largest relative error") != std::string::npos);
  CHECK(r.summary().find("FAIL: 3 parameters, 1 failed") == 0);
  std::ostringstream streamed;
  streamed << r;
  CHECK(streamed.str() == table);
}

TEST_CASE("check: tolerances are the caller's", "[check]") {
  const Eigen::VectorXd x = point();
  const Eigen::VectorXd exact = smooth_gradient(x);
  // Off by 1e-7 relative: inside rel_tol 1e-6, outside 1e-8.
  const Eigen::VectorXd off = exact * (1 + 1e-7);
  CheckOptions loose;
  loose.rel_tol = 1e-6;
  loose.abs_tol = 0;
  CHECK(tapegrad::compare_gradient(smooth, x, off, loose).passed);
  CheckOptions strict = loose;
  strict.rel_tol = 1e-8;
  CHECK_FALSE(tapegrad::compare_gradient(smooth, x, off, strict).passed);
  // abs_tol alone passes a tiny derivative reported as 0 (rel error 1 there).
  auto tiny = [](const Eigen::VectorXd& v) { return 1e-12 * v[0]; };
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(1);
  CheckOptions abs_ok;
  abs_ok.rel_tol = 0;
  abs_ok.abs_tol = 1e-10;
  const CheckReport r = tapegrad::compare_gradient(tiny, Eigen::VectorXd::Constant(1, 2.0), zero, abs_ok);
  CHECK(r.passed);
  CHECK(r.rows[0].rel_error == Approx(1.0));
  CHECK(r.rows[0].abs_error == Approx(1e-12).epsilon(1e-6));
  CheckOptions abs_strict = abs_ok;
  abs_strict.abs_tol = 1e-14;
  CHECK_FALSE(tapegrad::compare_gradient(tiny, Eigen::VectorXd::Constant(1, 2.0), zero, abs_strict).passed);
  // Both zero: rel error 0, a pass even at zero tolerances.
  CheckOptions zero_tol;
  zero_tol.rel_tol = zero_tol.abs_tol = 0;
  auto flat = [](const Eigen::VectorXd&) { return 4.0; };
  const CheckReport both_zero = tapegrad::compare_gradient(flat, Eigen::VectorXd::Constant(1, 1.0), zero, zero_tol);
  CHECK(both_zero.passed);
  CHECK(both_zero.rows[0].rel_error == 0.0);
}

TEST_CASE("check: non-finite values fail and say so", "[check]") {
  const Eigen::VectorXd x = point();
  CheckOptions anything;  // tolerances so wide that only the non-finite rule can fail a row
  anything.rel_tol = anything.abs_tol = INFINITY;
  Eigen::VectorXd nan_gradient = smooth_gradient(x);
  nan_gradient[2] = std::numeric_limits<double>::quiet_NaN();
  const CheckReport a = tapegrad::compare_gradient(smooth, x, nan_gradient, anything);
  CHECK_FALSE(a.passed);
  CHECK_FALSE(a.rows[2].passed);
  CHECK(a.rows[2].note == "analytic value is not finite");
  CHECK(a.table().find("FAIL: analytic value is not finite") != std::string::npos);

  // log(x) at 1e-4: the step 1e-3 leaves the domain, so the numeric side is NaN.
  auto log0 = [](const Eigen::VectorXd& v) { return std::log(v[0]); };
  const Eigen::VectorXd near0 = Eigen::VectorXd::Constant(1, 1e-4);
  const CheckReport n = tapegrad::compare_gradient(log0, near0, Eigen::VectorXd::Constant(1, 1e4), anything);
  CHECK_FALSE(n.passed);
  CHECK(n.rows[0].note == "numeric value is not finite");
  CHECK(std::isinf(n.max_rel_error()));

  // Infinite on both sides is not agreement.
  auto overflow = [](const Eigen::VectorXd& v) { return std::exp(v[0]); };
  const CheckReport both = tapegrad::compare_gradient(overflow, Eigen::VectorXd::Constant(1, 800.0),
                                                      Eigen::VectorXd::Constant(1, INFINITY), anything);
  CHECK_FALSE(both.passed);
  CHECK(both.rows[0].note == "analytic and numeric values are not finite");
}

TEST_CASE("check: Richardson extrapolation is more accurate than a plain central difference", "[check]") {
  // exp(sin(x)) is smooth with derivatives of every order near 1; cos(x) exp(sin(x)) by hand.
  auto f = [](const Eigen::VectorXd& v) { return std::exp(std::sin(v[0])); };
  CheckOptions plain;
  plain.richardson = false;
  CheckOptions plain_same_step = plain;
  plain_same_step.step = 1e-3;  // the step Richardson uses
  double worst_richardson = 0, total_richardson = 0, total_plain = 0, best_plain_same_step = INFINITY;
  for (double at : {-2.0, -0.4, 0.05, 0.3, 1.1, 1.7, 2.6}) {
    const Eigen::VectorXd x = Eigen::VectorXd::Constant(1, at);
    const double exact = std::cos(at) * std::exp(std::sin(at));
    const double richardson = std::abs(tapegrad::finite_difference(f, x, 0) - exact);
    worst_richardson = std::max(worst_richardson, richardson);
    total_richardson += richardson;
    total_plain += std::abs(tapegrad::finite_difference(f, x, 0, plain) - exact);
    best_plain_same_step =
        std::min(best_plain_same_step, std::abs(tapegrad::finite_difference(f, x, 0, plain_same_step) - exact));
  }
  CAPTURE(worst_richardson, total_richardson, total_plain, best_plain_same_step);
  // Each at its own default step: a plain difference is good to about eps^(2/3) = 4e-11,
  // Richardson to about eps^(4/5) = 3e-13 (measured here: 1.2e-12 against 1.7e-10 in total).
  CHECK(total_richardson * 10 < total_plain);
  CHECK(worst_richardson < 1e-12);
  // At the same step h = 1e-3: O(h^4) against O(h^2), so the worst Richardson point beats the
  // best plain one by orders of magnitude.
  CHECK(worst_richardson * 1e4 < best_plain_same_step);
}

TEST_CASE("check: the step is scaled to each parameter", "[check]") {
  CheckOptions defaults;
  CHECK(tapegrad::effective_step(defaults) == 1e-3);
  CheckOptions plain;
  plain.richardson = false;
  CHECK(tapegrad::effective_step(plain) == Approx(6.0554544523933395e-06));  // cbrt(eps)
  CheckOptions given;
  given.step = 1e-4;
  CHECK(tapegrad::effective_step(given) == 1e-4);
  // At x = 1e6 a fixed step of 1e-3 would lose about 6 digits to rounding (eps |f| / h against
  // f' = 1e-6); the scaled step h = 1e3 keeps 1e-9 relative, next to a parameter of order 1e-3.
  auto f = [](const auto& th) {
    using std::log;
    return log(th[0]) + 1e3 * log(1 + th[1]);
  };
  Eigen::VectorXd x(2);
  x << 1e6, 1e-3;
  CheckOptions strict;
  strict.rel_tol = 1e-9;
  strict.abs_tol = 0;
  const CheckReport r = tapegrad::check_gradient(f, x, strict);
  INFO(r.table());
  CHECK(r.passed);
}

TEST_CASE("check: check_gradient and check_hessian on the tape", "[check]") {
  auto f = [](const auto& v) {
    using std::exp;
    using std::sin;
    return sin(v[0]) * v[1] + exp(v[1] / 2) + v[0] * v[2] * v[2];
  };
  const Eigen::VectorXd x = point();
  const CheckReport g = tapegrad::check_gradient(f, x);
  INFO(g.table());
  CHECK(g.passed);
  CHECK(g.value == Approx(smooth(x)).epsilon(1e-15));
  for (int i = 0; i < 3; ++i) CHECK(g.rows[i].analytic == Approx(smooth_gradient(x)[i]).epsilon(1e-14));

  const CheckReport h = tapegrad::check_hessian(f, x);
  INFO(h.table());
  CHECK(h.passed);
  REQUIRE(h.rows.size() == 9);
  CHECK(h.rows[1].name == "H[0,1]");
  CHECK(h.rows[5].name == "H[1,2]");
  CHECK(h.rows[5].analytic == 0.0);
  CHECK(h.rows[0].analytic == Approx(smooth_hessian(x)(0, 0)).epsilon(1e-14));
  CHECK(h.summary().find("PASS: 9 Hessian entries, 0 failed") == 0);

  const CheckReport on_tape = tapegrad::check_gradient_on_tape(f, x);
  CHECK(on_tape.passed);
  CHECK(on_tape.value == g.value);

  // An f that takes an Eigen vector goes through the same dispatch as the drivers.
  const CheckReport e = tapegrad::check_gradient(EigenQuadratic{}, x);
  CHECK(e.passed);
  CHECK(e.value == Approx(0.7 * 0.7 * -1.2 + 3.0 * -1.2));
}

TEST_CASE("check: compare_hessian catches a wrong entry", "[check]") {
  const Eigen::VectorXd x = point();
  auto gradient = [](const Eigen::VectorXd& v) { return smooth_gradient(v); };
  CHECK(tapegrad::compare_hessian(gradient, x, smooth_hessian(x)).passed);
  Eigen::MatrixXd wrong = smooth_hessian(x);
  wrong(0, 1) += 1e-3;  // not symmetric any more: only H[0,1] is wrong
  const CheckReport r = tapegrad::compare_hessian(gradient, x, wrong);
  CHECK_FALSE(r.passed);
  CHECK(r.n_failed() == 1);
  CHECK_FALSE(r.rows[1].passed);
  CHECK(r.rows[1].name == "H[0,1]");
  CHECK(r.rows[3].passed);  // H[1,0]
}

TEST_CASE("check: a wrong partial in an op is caught through the tape", "[check]") {
  const Eigen::VectorXd x = point();
  auto right = [](const auto& v) { using std::exp; return exp(v[0] * v[1]) + v[2]; };
  auto wrong = [](const auto& v) { return wrong_exp(v[0] * v[1]) + v[2]; };
  auto flat = [](const auto& v) { return flat_exp(v[0] * v[1]) + v[2]; };
  CHECK(tapegrad::check_gradient(right, x).passed);
  CHECK(tapegrad::check_hessian(right, x).passed);

  const CheckReport g = tapegrad::check_gradient(wrong, x);
  CHECK_FALSE(g.passed);
  CHECK_FALSE(g.rows[0].passed);
  CHECK_FALSE(g.rows[1].passed);
  CHECK(g.rows[2].passed);  // x2 does not go through the op
  CHECK(g.rows[0].rel_error == Approx(1e-3 / 1.001).epsilon(1e-3));

  // Right first derivative, wrong second: the gradient check passes, the Hessian check does not.
  CHECK(tapegrad::check_gradient(flat, x).passed);
  const CheckReport h = tapegrad::check_hessian(flat, x);
  CHECK_FALSE(h.passed);
  CHECK_FALSE(h.rows[0].passed);  // d2/dx0^2 exp(x0 x1) = x1^2 exp(x0 x1), here taken as 0
}

TEST_CASE("check: mismatched sizes are an error, not a read past the end", "[check]") {
  const Eigen::VectorXd x = point();
  CHECK_THROWS_AS(tapegrad::compare_gradient(smooth, x, Eigen::VectorXd::Zero(2)), std::invalid_argument);
  auto gradient = [](const Eigen::VectorXd& v) { return smooth_gradient(v); };
  CHECK_THROWS_AS(tapegrad::compare_hessian(gradient, x, Eigen::MatrixXd::Zero(3, 2)), std::invalid_argument);
}
