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
  CHECK(header.find("|diff|") != std::string::npos);
  CHECK(header.find("fd error") != std::string::npos);
  CHECK(header.find("allowed") != std::string::npos);
  const std::size_t verdict_column = header.find("PASS/FAIL");
  REQUIRE(verdict_column != std::string::npos);
  const std::string alpha = row_line(table, "alpha"), beta = row_line(table, "beta_long_name"),
                    theta = row_line(table, "theta[2]");
  CHECK(alpha.find("PASS") == verdict_column);  // aligned under the header, long names included
  CHECK(beta.find("FAIL") == verdict_column);
  CHECK(theta.find("PASS") == verdict_column);
  CHECK(table.find("FAIL: 3 parameters, 1 failed; worst: beta_long_name, |difference| 0.5 is ") != std::string::npos);
  CHECK(r.summary().find("FAIL: 3 parameters, 1 failed") == 0);
  CHECK(r.worst() == 1);
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

  // log(x) at 1e-4: a fixed step of 1e-3 leaves the domain, so the numeric side is NaN...
  auto log0 = [](const Eigen::VectorXd& v) { return std::log(v[0]); };
  const Eigen::VectorXd near0 = Eigen::VectorXd::Constant(1, 1e-4);
  CheckOptions fixed = anything;
  fixed.step = 1e-3;
  const CheckReport n = tapegrad::compare_gradient(log0, near0, Eigen::VectorXd::Constant(1, 1e4), fixed);
  CHECK_FALSE(n.passed);
  CHECK(n.rows[0].note == "numeric value is not finite");
  CHECK(std::isinf(n.max_rel_error()));
  // ... where the default steps shrink until f is finite on both sides, and judge as usual.
  const CheckReport inside = tapegrad::compare_gradient(log0, near0, Eigen::VectorXd::Constant(1, 1e4));
  INFO(inside.table());
  CHECK(inside.passed);
  CHECK(inside.rows[0].step < 1e-4);
  CHECK_FALSE(tapegrad::compare_gradient(log0, near0, Eigen::VectorXd::Constant(1, 1.001e4)).passed);

  // Infinite on both sides is not agreement.
  auto overflow = [](const Eigen::VectorXd& v) { return std::exp(v[0]); };
  const CheckReport both = tapegrad::compare_gradient(overflow, Eigen::VectorXd::Constant(1, 800.0),
                                                      Eigen::VectorXd::Constant(1, INFINITY), anything);
  CHECK_FALSE(both.passed);
  CHECK(both.rows[0].note == "analytic and numeric values are not finite");
}

TEST_CASE("check: the numeric derivative is accurate, and its error estimate bounds its error", "[check]") {
  // exp(sin(x)) is smooth with derivatives of every order near 1; cos(x) exp(sin(x)) by hand.
  auto f = [](const Eigen::VectorXd& v) { return std::exp(std::sin(v[0])); };
  CheckOptions plain;
  plain.step = 1e-3;
  plain.richardson = false;
  CheckOptions richardson = plain;
  richardson.richardson = true;
  double worst_ridders = 0, worst_richardson = 0, best_plain = INFINITY;
  for (double at : {-2.0, -0.4, 0.05, 0.3, 1.1, 1.7, 2.6}) {
    const Eigen::VectorXd x = Eigen::VectorXd::Constant(1, at);
    const double exact = std::cos(at) * std::exp(std::sin(at));
    for (const CheckOptions& o : {CheckOptions{}, plain, richardson}) {
      const tapegrad::NumericDerivative d = tapegrad::numeric_derivative(f, x, 0, o);
      CAPTURE(at, o.step, o.richardson, d.value, d.error, exact);
      CHECK(std::abs(d.value - exact) <= d.error);  // the estimate is honest for every method
    }
    worst_ridders = std::max(worst_ridders, std::abs(tapegrad::finite_difference(f, x, 0) - exact));
    worst_richardson = std::max(worst_richardson, std::abs(tapegrad::finite_difference(f, x, 0, richardson) - exact));
    best_plain = std::min(best_plain, std::abs(tapegrad::finite_difference(f, x, 0, plain) - exact));
  }
  CAPTURE(worst_ridders, worst_richardson, best_plain);
  CHECK(worst_ridders < 1e-12);
  // At one step h = 1e-3: O(h^4) against O(h^2), so the worst Richardson point beats the best
  // plain one by orders of magnitude.
  CHECK(worst_richardson * 1e4 < best_plain);
}

TEST_CASE("check: the step follows the function along each coordinate", "[check]") {
  // At x = 1e6 a step of 1e-3 would lose about 6 digits to rounding (eps |f| / h against
  // f' = 1e-6); next to it a parameter of order 1e-3 whose function bends on a scale of 1e-3.
  auto f = [](const auto& th) {
    using std::log;
    return log(th[0]) + 1e3 * log(1e-3 + th[1]);
  };
  Eigen::VectorXd x(2);
  x << 1e6, 1e-3;
  CheckOptions strict;
  strict.rel_tol = 1e-10;
  const CheckReport r = tapegrad::check_gradient(f, x, strict);
  INFO(r.table());
  CHECK(r.passed);
  CHECK(r.rows[0].step > 1e2);
  CHECK(r.rows[1].step < 1e-3);
  CHECK(r.rows[0].error < 1e-8 * 1e-6);  // a step of 1e-3 would give about 1e-6 relative
  CHECK(r.rows[1].error < 1e-9 * 5e5);
}

TEST_CASE("check: the summary names the row closest to failing by its margin", "[check]") {
  // At a minimum the gradient is 0 up to rounding, so relative errors are meaningless there:
  // the summary must not report them, but each row's margin against its own allowance.
  auto f = [](const Eigen::VectorXd& v) { return 3 * (v[0] - 1) * (v[0] - 1) + std::cosh(v[1]); };
  const Eigen::VectorXd x = Eigen::Vector2d(1, 0);
  const CheckReport r = tapegrad::compare_gradient(f, x, Eigen::Vector2d(1e-17, -2e-17));
  INFO(r.table());
  CHECK(r.passed);
  CHECK(r.max_rel_error() > 0.5);  // 1e-17 against a numeric value of about 0
  const std::string s = r.summary();
  CHECK(s.find("PASS: 2 parameters, 0 failed; closest: ") == 0);
  CHECK(s.find("relative") == std::string::npos);
  CHECK(r.rows[r.worst()].margin() <= 1);
}

TEST_CASE("check: random points, as the command has", "[check]") {
  auto f = [](const auto& v) {
    using std::exp;
    return exp(v[0] * v[1]) + v[2] * v[2];
  };
  auto wrong = [](const auto& v) {  // right at x = 0 only: the partial of v2 is off by v0
    using std::exp;
    return exp(v[0] * v[1]) + v[2] * v[2] + v[0] * v[2] - tapegrad::value_of(v[0] * v[2]);
  };
  CheckOptions o;
  o.random_points = 3;
  o.seed = 5;
  const Eigen::VectorXd x = Eigen::VectorXd::Zero(3);
  const CheckReport r = tapegrad::check_gradient(f, x, o);
  INFO(r.table());
  CHECK(r.passed);
  REQUIRE(r.rows.size() == 12);
  CHECK(r.rows[0].point.empty());
  CHECK(r.rows[3].point == "random point 1");
  CHECK(r.rows[11].point == "random point 3");
  CHECK(r.table().find("at random point 2:") != std::string::npos);
  const std::vector<Eigen::VectorXd> points = tapegrad::check_points(x, o);
  REQUIRE(points.size() == 4);
  CHECK(points[0] == x);
  CHECK(points[1] != x);
  CHECK(tapegrad::check_points(x, o)[2] == points[2]);  // the same seed, the same points
  CHECK(tapegrad::check_gradient(wrong, x).passed);     // the bug does not show at x itself
  const CheckReport w = tapegrad::check_gradient(wrong, x, o);
  CHECK_FALSE(w.passed);
  CHECK(w.n_failed() >= 3);
  CHECK(tapegrad::check_hessian(f, x, o).passed);
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
