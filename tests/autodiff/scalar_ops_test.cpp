// Every scalar op of scalar_ops.hpp through expect_ad (value on three paths, gradient and
// Hessian against finite differences), one line per op; then closed forms where finite
// differences cannot go: logits of +-1000, arguments next to 0, special-function constants.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "autodiff/expect_ad.hpp"
#include "tapegrad/autodiff.hpp"

using tapegrad::HVar;
using tapegrad::Var;
using tapegrad_test::expect_ad;
using tapegrad_test::expect_ad_throws;
using tapegrad_test::expect_derivatives;
using tapegrad_test::Points;

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kEulerGamma = 0.57721566490153286061;
constexpr double kZeta3 = 1.2020569031595942854;
const double kLog2 = std::log(2.0);

// Point sets. The finite-difference step is h = 1e-3 max(1, |x|), so points keep a distance
// from poles and kinks that makes the 4th-order truncation error negligible; the regions next
// to them are checked against closed forms below.
const Points kReals{{-2.3}, {-0.7}, {0.0}, {1e-10}, {0.4}, {1.1}, {2.9}};
const Points kNonzero{{-2.3}, {-0.7}, {-0.3}, {0.4}, {1.1}, {2.9}, {15.0}};
const Points kPositive{{0.35}, {0.8}, {1.0}, {2.5}, {7.0}, {30.0}, {250.0}};
const Points kAboveMinusOne{{-0.6}, {-0.1}, {-1e-10}, {0.0}, {1e-10}, {0.5}, {3.0}, {40.0}};
const Points kLogits{{-20.0}, {-4.5}, {-0.7}, {0.0}, {0.4}, {3.0}, {25.0}};
const Points kGammaArgs{{0.35}, {0.8}, {1.0}, {2.5}, {7.0}, {30.0}, {-0.5}, {-2.3}};
const Points kPairs{{0.7, -1.3}, {2.5, 0.4}, {-3.1, 1.9}, {1.0, 1.0}, {-0.2, -4.5}, {0.0, 2.0}, {12.0, 0.3}};
const Points kPositivePairs{{0.7, 1.3}, {2.5, 0.4}, {1.9, -1.2}, {1.0, 3.0}, {4.0, 0.5}, {0.45, -2.0}};
const Points kTriples{{0.3, -1.2, 2.0}, {5.0, 5.0, 5.0}, {-0.5, 0.0, 0.5}, {10.0, -10.0, 0.0}, {-3.0, 1.0, -7.5}};
// Points away from the switch of the branch tests below (x0 == x1, x0 == 0.5, x0 x1 == 1).
const Points kOffSwitch{{0.7, -1.3}, {2.5, 0.3}, {-3.1, 1.9}, {0.9, 1.2}, {-0.2, -4.5}, {3.0, 2.0}};
const Points kVectors{{0.4}, {0.3, -1.2}, {0.3, -1.2, 2.0}, {5.0, 5.0, 5.0}, {-0.5, 0.0, 0.5}, {10.0, -10.0, 0.0}};

// A user's density that validates its argument, as a likelihood should.
template <class T>
T normal_lpdf_checked(const std::vector<T>& x) {
  using std::log;
  if (!(x[1] > 0)) throw std::domain_error("normal_lpdf: sigma must be positive");
  return -0.5 * tapegrad::square(x[0] / x[1]) - log(x[1]) - 0.9189385332046727;  // log sqrt(2 pi)
}

}  // namespace

TEST_CASE("scalar ops: arithmetic with Var and double on each side", "[scalar_ops]") {
  expect_ad("var + var", AD_FN(x[0] + x[1]), kPairs);
  expect_ad("var + double", AD_FN(x[0] + 2.5), kReals);
  expect_ad("double + var", AD_FN(2.5 + x[0]), kReals);
  expect_ad("var - var", AD_FN(x[0] - x[1]), kPairs);
  expect_ad("var - double", AD_FN(x[0] - 2.5), kReals);
  expect_ad("double - var", AD_FN(2.5 - x[0]), kReals);
  expect_ad("var * var", AD_FN(x[0] * x[1]), kPairs);
  expect_ad("var * double", AD_FN(x[0] * 2.5), kReals);
  expect_ad("double * var", AD_FN(2.5 * x[0]), kReals);
  expect_ad("var / var", AD_FN(x[0] / x[1]), kPairs);
  expect_ad("var / double", AD_FN(x[0] / 2.5), kReals);
  expect_ad("double / var", AD_FN(2.5 / x[0]), kNonzero);
  expect_ad("var * var, same leaf", AD_FN(x[0] * x[0]), kReals);
  expect_ad("unary minus", AD_FN(-x[0]), kReals);
  expect_ad("unary minus of an expression", AD_FN(-(x[0] * x[1])), kPairs);
  expect_ad("unary plus", AD_FN(+x[0]), kReals);
  expect_ad("unary plus of an expression", AD_FN(+(x[0] * x[1])), kPairs);
  expect_ad("nested expression", AD_FN((x[0] * x[1] - exp(x[0])) / (1.5 + x[1] * x[1])), kPairs);
  expect_ad("leaf repeated in one statement", AD_FN(x[0] * x[1] * x[0] - x[1] / x[0]), kPositivePairs);
  expect_ad("three inputs", AD_FN(x[0] * x[1] + x[2] / (1 + x[0] * x[0]) - x[1] * x[2]), kTriples);
}

TEST_CASE("scalar ops: compound assignment", "[scalar_ops]") {
  expect_ad("+= var", [](const auto& x) { auto y = x[0]; y += x[1]; return y; }, kPairs);
  expect_ad("+= double", [](const auto& x) { auto y = x[0]; y += 2.5; return y; }, kReals);
  expect_ad("+= expression", [](const auto& x) { auto y = x[0]; y += x[0] * x[1]; return y; }, kPairs);
  expect_ad("-= var", [](const auto& x) { auto y = x[0]; y -= x[1]; return y; }, kPairs);
  expect_ad("-= double", [](const auto& x) { auto y = x[0]; y -= 2.5; return y; }, kReals);
  expect_ad("-= expression", [](const auto& x) { auto y = x[1]; y -= x[0] * x[1]; return y; }, kPairs);
  expect_ad("*= var", [](const auto& x) { auto y = x[0]; y *= x[1]; return y; }, kPairs);
  expect_ad("*= double", [](const auto& x) { auto y = x[0]; y *= 2.5; return y; }, kReals);
  expect_ad("*= itself", [](const auto& x) { std::decay_t<decltype(x[0])> y = x[0] * x[1]; y *= y; return y; }, kPairs);
  expect_ad("/= var", [](const auto& x) { auto y = x[0]; y /= x[1]; return y; }, kPairs);
  expect_ad("/= double", [](const auto& x) { auto y = x[0]; y /= 2.5; return y; }, kReals);
  expect_ad("/= expression", [](const auto& x) { auto y = x[0]; y /= x[1] * x[1] + 1; return y; }, kPairs);
  expect_ad("accumulate in a loop", [](const auto& x) { auto y = x[0]; for (int i = 0; i < 5; ++i) y += y * x[1] / (i + 2); return y; }, kPairs);
}

TEST_CASE("scalar ops: elementary functions", "[scalar_ops]") {
  expect_ad("exp", AD_FN(exp(x[0])), kReals);
  expect_ad("log", AD_FN(log(x[0])), kPositive);
  expect_ad("log1p", AD_FN(log1p(x[0])), kAboveMinusOne);
  expect_ad("expm1", AD_FN(expm1(x[0])), kReals);
  expect_ad("sqrt", AD_FN(sqrt(x[0])), kPositive);
  expect_ad("square", AD_FN(square(x[0])), kReals);
  expect_ad("square of an expression", AD_FN(square(x[0] - 2 * x[1])), kPairs);
  expect_ad("abs", AD_FN(abs(x[0])), kNonzero);
  expect_ad("fabs", AD_FN(fabs(x[0] * x[1])), {{0.7, -1.3}, {2.5, 0.4}, {-3.1, 1.9}, {-0.2, -4.5}});
  expect_ad("sin", AD_FN(sin(x[0])), kReals);
  expect_ad("cos", AD_FN(cos(x[0])), kReals);
  expect_ad("tanh", AD_FN(tanh(x[0])), kLogits);
  expect_ad("erf", AD_FN(erf(x[0])), kReals);
  expect_ad("functions of expressions", AD_FN(exp(sin(x[0]) * x[1]) + log(1 + x[0] * x[0])), kPairs);
}

TEST_CASE("scalar ops: pow in its three forms", "[scalar_ops]") {
  expect_ad("pow(var, 2.5)", AD_FN(pow(x[0], 2.5)), kPositive);
  expect_ad("pow(var, -1.5)", AD_FN(pow(x[0], -1.5)), kPositive);
  // Integer exponents take negative bases: the HVar path must not compute log(base) for them.
  expect_ad("pow(var, 2.0)", AD_FN(pow(x[0], 2.0)), kReals);
  expect_ad("pow(var, 3.0)", AD_FN(pow(x[0], 3.0)), kReals);
  expect_ad("pow(2.0, var)", AD_FN(pow(2.0, x[0])), kReals);
  expect_ad("pow(0.3, var)", AD_FN(pow(0.3, x[0])), kReals);
  expect_ad("pow(var, var)", AD_FN(pow(x[0], x[1])), kPositivePairs);
  expect_ad("pow(expression, expression)", AD_FN(pow(x[0] * x[0] + 0.5, x[1] - 1)), kPairs);
}

TEST_CASE("scalar ops: stable logistic functions and n-ary ops", "[scalar_ops]") {
  expect_ad("sigmoid", AD_FN(sigmoid(x[0])), kLogits);
  expect_ad("inv_logit", AD_FN(inv_logit(x[0])), kLogits);
  expect_ad("softplus", AD_FN(softplus(x[0])), kLogits);
  expect_ad("log1p_exp", AD_FN(log1p_exp(x[0])), kLogits);
  expect_ad("log_sigmoid", AD_FN(log_sigmoid(x[0])), kLogits);
  expect_ad("log_sum_exp(var, var)", AD_FN(log_sum_exp(x[0], x[1])), kPairs);
  expect_ad("log_sum_exp(var, double)", AD_FN(log_sum_exp(x[0], 0.5)), kLogits);
  expect_ad("log_sum_exp(double, var)", AD_FN(log_sum_exp(-1.5, x[0])), kLogits);
  expect_ad("log_sum_exp of expressions", AD_FN(log_sum_exp(2 * x[0], x[0] * x[1])), kPairs);
  expect_ad("log_sum_exp n-ary", AD_FN(log_sum_exp(x)), kVectors);
  expect_ad("log_sum_exp n-ary of expressions", AD_FN(log_sum_exp(std::vector<T>{x[0], x[1], T(x[0] * x[1])})), kPairs);
  expect_ad("sum n-ary", AD_FN(sum(x)), kVectors);
  expect_ad("sum n-ary, one input twice", AD_FN(sum(std::vector<T>{x[0], x[0], T(x[1] * x[1])})), kPairs);
}

TEST_CASE("scalar ops: special functions", "[scalar_ops]") {
  expect_ad("lgamma", AD_FN(lgamma(x[0])), kGammaArgs);
  expect_ad("digamma", AD_FN(digamma(x[0])), kGammaArgs);
  expect_ad("lgamma of an expression", AD_FN(lgamma((x[0] + x[1]) / 2)), kPositivePairs);
}

TEST_CASE("scalar ops: a branch on a comparison follows the value", "[scalar_ops]") {
  expect_ad("var < var", AD_FN(x[0] < x[1] ? T(x[0] * x[1]) : T(x[0] - x[1])), kOffSwitch);
  expect_ad("var > double", AD_FN(x[0] > 0.5 ? T(exp(x[0])) : T(square(x[0]))), kReals);
  expect_ad("double >= expression", AD_FN(1.0 >= x[0] * x[1] ? T(x[0]) : T(x[1] * x[1])), kOffSwitch);
}

TEST_CASE("scalar ops: comparisons look at values and record nothing", "[scalar_ops]") {
  tapegrad::ScopedTape tape;
  const Var a = 1.5, b = 2.5, a2 = 1.5;
  const std::size_t before = tape.n_statements();
  CHECK(a < b);
  CHECK(a <= a2);
  CHECK(b > a);
  CHECK(a >= a2);
  CHECK(a == a2);  // different variables, equal values
  CHECK(a != b);
  CHECK_FALSE(b < a);
  CHECK_FALSE(b <= a);
  CHECK_FALSE(a > b);
  CHECK_FALSE(a >= b);
  CHECK_FALSE(a == b);
  CHECK_FALSE(a != a2);
  CHECK(a < 2.0);
  CHECK(2.0 > a);
  CHECK(a == 1.5);
  CHECK(1.5 == a);
  CHECK(a * b > 3.0);  // an expression against a double
  CHECK(a * b == b * a);
  CHECK(-a <= -a2);
  CHECK(tape.n_statements() == before);
  // A branch on a value records only the taken path.
  Var y = a < b ? Var(a * b) : Var(a / b);
  CHECK(tape.n_statements() == before + 1);
  CHECK(y.value() == 3.75);
  // HVar compares the value, not the tangent.
  tapegrad::BasicScopedTape<tapegrad::Dual> htape;
  const HVar p = tapegrad::Dual(1.0, 5.0), q = tapegrad::Dual(1.0, -5.0);
  CHECK(p == q);
  CHECK_FALSE(p < q);
}

TEST_CASE("scalar ops: logits of +-1000 give finite values and exact gradients", "[scalar_ops][stable]") {
  // Exact to the last bit: the closed-form derivatives there are 0, 1 or 1/2 (e^-1000 underflows).
  expect_derivatives("sigmoid", AD_FN(sigmoid(x[0])), {1000.0}, 1.0, {0.0}, {{0.0}});
  expect_derivatives("sigmoid", AD_FN(sigmoid(x[0])), {-1000.0}, 0.0, {0.0}, {{0.0}});
  expect_derivatives("softplus", AD_FN(softplus(x[0])), {1000.0}, 1000.0, {1.0}, {{0.0}});
  expect_derivatives("softplus", AD_FN(softplus(x[0])), {-1000.0}, 0.0, {0.0}, {{0.0}});
  expect_derivatives("log1p_exp", AD_FN(log1p_exp(x[0])), {1000.0}, 1000.0, {1.0}, {{0.0}});
  expect_derivatives("log_sigmoid", AD_FN(log_sigmoid(x[0])), {-1000.0}, -1000.0, {1.0}, {{0.0}});
  expect_derivatives("log_sigmoid", AD_FN(log_sigmoid(x[0])), {1000.0}, 0.0, {0.0}, {{0.0}});
  // Bernoulli log-likelihood through logits, y = 1 at a logit of -1000: the loss is 1000, not inf.
  expect_derivatives("bernoulli via log_sigmoid", AD_FN(-log_sigmoid(x[0])), {-1000.0}, 1000.0, {-1.0}, {{0.0}});
  expect_derivatives("log_sum_exp", AD_FN(log_sum_exp(x[0], x[1])), {1000.0, -1000.0}, 1000.0, {1.0, 0.0},
                     {{0.0, 0.0}, {0.0, 0.0}});
  // The partials are sigmoid(a - b) (binary) and exp(x_i - max) / sum (n-ary), not
  // exp(x_i - f), which would carry the rounding of f = 1000.69...: exact to an ulp.
  const double lse_rel = 1e-15;
  // a == b: the tie takes one branch for the max and the exponent (see LogSumExpOp).
  expect_derivatives("log_sum_exp", AD_FN(log_sum_exp(x[0], x[1])), {1000.0, 1000.0}, 1000.0 + kLog2, {0.5, 0.5},
                     {{0.25, -0.25}, {-0.25, 0.25}}, lse_rel);
  expect_derivatives("log_sum_exp", AD_FN(log_sum_exp(x[0], x[1])), {-1000.0, -1000.0}, -1000.0 + kLog2, {0.5, 0.5},
                     {{0.25, -0.25}, {-0.25, 0.25}}, lse_rel);
  expect_derivatives("log_sum_exp n-ary", AD_FN(log_sum_exp(x)), {1000.0, 1000.0, -1000.0}, 1000.0 + kLog2,
                     {0.5, 0.5, 0.0}, {{0.25, -0.25, 0.0}, {-0.25, 0.25, 0.0}, {0.0, 0.0, 0.0}}, lse_rel);
  expect_derivatives("log_sum_exp n-ary", AD_FN(log_sum_exp(x)), {-1000.0, -1000.0, -1000.0},
                     -1000.0 + std::log(3.0), {1.0 / 3, 1.0 / 3, 1.0 / 3},
                     {{2.0 / 9, -1.0 / 9, -1.0 / 9}, {-1.0 / 9, 2.0 / 9, -1.0 / 9}, {-1.0 / 9, -1.0 / 9, 2.0 / 9}},
                     lse_rel);
  const double p = 1 / (1 + std::exp(-1.0));  // softmax weight of 1000 against 999
  expect_derivatives("log_sum_exp n-ary", AD_FN(log_sum_exp(x)), {1000.0, -1000.0, 999.0},
                     1000.0 + std::log1p(std::exp(-1.0)), {p, 0.0, 1 - p},
                     {{p * (1 - p), 0.0, -p * (1 - p)}, {0.0, 0.0, 0.0}, {-p * (1 - p), 0.0, p * (1 - p)}}, lse_rel);
}

TEST_CASE("scalar ops: closed forms at ordinary points", "[scalar_ops]") {
  expect_derivatives("sigmoid", AD_FN(sigmoid(x[0])), {0.0}, 0.5, {0.25}, {{0.0}});
  expect_derivatives("softplus", AD_FN(softplus(x[0])), {0.0}, kLog2, {0.5}, {{0.25}});
  expect_derivatives("log_sigmoid", AD_FN(log_sigmoid(x[0])), {0.0}, -kLog2, {0.5}, {{-0.25}});
  expect_derivatives("log_sum_exp", AD_FN(log_sum_exp(x[0], x[1])), {0.0, 0.0}, kLog2, {0.5, 0.5},
                     {{0.25, -0.25}, {-0.25, 0.25}});
  expect_derivatives("tanh", AD_FN(tanh(x[0])), {0.0}, 0.0, {1.0}, {{0.0}});
  expect_derivatives("square", AD_FN(square(x[0])), {3.0}, 9.0, {6.0}, {{2.0}});
  expect_derivatives("sqrt", AD_FN(sqrt(x[0])), {4.0}, 2.0, {0.25}, {{-1.0 / 32}});
  expect_derivatives("exp", AD_FN(exp(x[0])), {1.0}, std::exp(1.0), {std::exp(1.0)}, {{std::exp(1.0)}});
  expect_derivatives("log", AD_FN(log(x[0])), {4.0}, std::log(4.0), {0.25}, {{-1.0 / 16}});
  expect_derivatives("x * y", AD_FN(x[0] * x[1]), {3.0, -2.0}, -6.0, {-2.0, 3.0}, {{0.0, 1.0}, {1.0, 0.0}});
  expect_derivatives("x / y", AD_FN(x[0] / x[1]), {3.0, 2.0}, 1.5, {0.5, -0.75}, {{0.0, -0.25}, {-0.25, 0.75}});
  // d/dx x^y = y x^(y-1); d/dy = x^y log x; d2/dxdy = x^(y-1) (1 + y log x).
  expect_derivatives("pow(var, var)", AD_FN(pow(x[0], x[1])), {2.0, 10.0}, 1024.0, {5120.0, 1024.0 * kLog2},
                     {{23040.0, 512.0 + 5120.0 * kLog2}, {512.0 + 5120.0 * kLog2, 1024.0 * kLog2 * kLog2}}, 1e-14);
  expect_derivatives("pow(var, 3.0) at a negative base", AD_FN(pow(x[0], 3.0)), {-2.0}, -8.0, {12.0}, {{-12.0}});
  // At a zero power the derivative in the exponent, a^b log a, is taken as its limit 0, not NaN.
  expect_derivatives("pow(0, var)", AD_FN(pow(x[0], x[1])), {0.0, 2.0}, 0.0, {0.0, 0.0});
  expect_derivatives("sin", AD_FN(sin(x[0])), {0.0}, 0.0, {1.0}, {{0.0}});
  expect_derivatives("erf", AD_FN(erf(x[0])), {0.0}, 0.0, {2.0 / std::sqrt(kPi)}, {{0.0}});
  expect_derivatives("erf", AD_FN(erf(x[0])), {0.5}, 0.52049987781304653768, {2.0 / std::sqrt(kPi) * std::exp(-0.25)},
                     {{-2.0 / std::sqrt(kPi) * std::exp(-0.25)}}, 1e-14);  // libm's erf: within an ulp or two
  // abs at its kink: the derivative taken is 0 (the midpoint of the subgradient).
  expect_derivatives("abs at 0", AD_FN(abs(x[0])), {0.0}, 0.0, {0.0}, {{0.0}});
}

TEST_CASE("scalar ops: log1p and expm1 near 0 keep full precision", "[scalar_ops][stable]") {
  // Series: log1p(x) = x - x^2/2 + x^3/3, expm1(x) = x + x^2/2 + x^3/6; log(1 + 1e-10) in double
  // would be wrong in the 7th digit.
  for (double x : {1e-10, -1e-10, 3e-13}) {
    expect_derivatives("log1p", AD_FN(log1p(x[0])), {x}, x - x * x / 2 + x * x * x / 3, {1 / (1 + x)},
                       {{-1 / ((1 + x) * (1 + x))}});
    expect_derivatives("expm1", AD_FN(expm1(x[0])), {x}, x + x * x / 2 + x * x * x / 6, {1 + x + x * x / 2},
                       {{1 + x + x * x / 2}});
  }
}

TEST_CASE("scalar ops: lgamma near 0 and at 1e6", "[scalar_ops][special]") {
  // Near 0: lgamma(x) = -log x - gamma x + (pi^2/12) x^2, psi(x) = -1/x - gamma + (pi^2/6) x,
  // psi'(x) = 1/x^2 + pi^2/6 (next terms below 1e-16 relative at x = 1e-8).
  const double x0 = 1e-8;
  expect_derivatives("lgamma near 0", AD_FN(lgamma(x[0])), {x0},
                     -std::log(x0) - kEulerGamma * x0 + kPi * kPi / 12 * x0 * x0,
                     {-1 / x0 - kEulerGamma + kPi * kPi / 6 * x0}, {{1 / (x0 * x0) + kPi * kPi / 6}});
  // At 1e6: lgamma from mpmath (40 digits); psi(x) = log x - 1/(2x) - 1/(12x^2) and
  // psi'(x) = 1/x + 1/(2x^2) + 1/(6x^3) (Stirling, next terms below 1e-24).
  const double x1 = 1e6;
  expect_derivatives("lgamma at 1e6", AD_FN(lgamma(x[0])), {x1}, 12815504.56914761166,
                     {std::log(x1) - 1 / (2 * x1) - 1 / (12 * x1 * x1)},
                     {{1 / x1 + 1 / (2 * x1 * x1) + 1 / (6 * x1 * x1 * x1)}});
}

TEST_CASE("scalar ops: digamma, trigamma, tetragamma at closed forms", "[scalar_ops][special]") {
  // psi(1) = -gamma, psi'(1) = pi^2/6, psi''(1) = -2 zeta(3); psi(1/2) = -gamma - 2 log 2,
  // psi'(1/2) = pi^2/2, psi''(1/2) = -14 zeta(3). At -1/2 by psi(x + 1) = psi(x) + 1/x and its
  // derivatives: psi(-1/2) = psi(1/2) + 2, psi'(-1/2) = pi^2/2 + 4, psi''(-1/2) = -14 zeta(3) + 16.
  // The gradient of digamma is trigamma and its Hessian tetragamma: all three are exercised.
  // Small arguments are shifted up to 10 by recurrence: up to ten roundings, so 1e-14.
  const double rel = 1e-14;
  expect_derivatives("digamma", AD_FN(digamma(x[0])), {1.0}, -kEulerGamma, {kPi * kPi / 6}, {{-2 * kZeta3}}, rel);
  expect_derivatives("digamma", AD_FN(digamma(x[0])), {0.5}, -kEulerGamma - 2 * kLog2, {kPi * kPi / 2},
                     {{-14 * kZeta3}}, rel);
  // psi(-1/2) = 0.036 is a difference of terms near 2: rounding relative to the result is larger.
  expect_derivatives("digamma", AD_FN(digamma(x[0])), {-0.5}, -kEulerGamma - 2 * kLog2 + 2, {kPi * kPi / 2 + 4},
                     {{-14 * kZeta3 + 16}}, 1e-13);
  // Reference values from mpmath at 40 digits.
  expect_derivatives("digamma", AD_FN(digamma(x[0])), {-2.25}, 4.1585835646579722748, {19.379410511869137363},
                     {{123.89694977406016558}}, rel);
  expect_derivatives("digamma", AD_FN(digamma(x[0])), {10.0}, 2.2517525890667211076, {0.10516633568168574612},
                     {{-0.011049834970802067462}}, rel);
  expect_derivatives("lgamma", AD_FN(lgamma(x[0])), {0.5}, 0.5 * std::log(kPi), {-kEulerGamma - 2 * kLog2},
                     {{kPi * kPi / 2}}, rel);
  expect_derivatives("lgamma", AD_FN(lgamma(x[0])), {-0.5}, std::log(2 * std::sqrt(kPi)),
                     {-kEulerGamma - 2 * kLog2 + 2}, {{kPi * kPi / 2 + 4}}, 1e-13);
  // The double functions directly, including the documented constant tetragamma(1) = -2 zeta(3).
  CHECK(tapegrad::digamma(1.0) == Approx(-0.5772156649015329).epsilon(rel));
  CHECK(tapegrad::digamma(0.5) == Approx(-1.9635100260214235).epsilon(rel));
  CHECK(tapegrad::digamma(1e6) == Approx(std::log(1e6) - 0.5e-6 - 1.0 / 12e12).epsilon(1e-15));
  CHECK(tapegrad::trigamma(1.0) == Approx(kPi * kPi / 6).epsilon(rel));
  CHECK(tapegrad::trigamma(0.5) == Approx(kPi * kPi / 2).epsilon(rel));
  CHECK(tapegrad::tetragamma(1.0) == Approx(-2.4041138063191885).epsilon(rel));
  CHECK(tapegrad::tetragamma(-1.5) == Approx(-0.236204051641727403).epsilon(1e-13));
  // Poles are NaN, not a wrong finite number; a far negative argument answers at once
  // (reflection, not a recurrence of 10^12 steps).
  CHECK(std::isnan(tapegrad::digamma(0.0)));
  CHECK(std::isnan(tapegrad::trigamma(-3.0)));
  CHECK(std::isnan(tapegrad::tetragamma(-2.0)));
  CHECK(std::isfinite(tapegrad::tetragamma(-1e12 - 0.5)));
}

TEST_CASE("scalar ops: digamma, trigamma and tetragamma match mpmath across their range", "[scalar_ops][special]") {
  struct Row {
    double x, psi, psi1, psi2;
  };
  // mpmath psi(0..2, x) at 30 digits: small arguments (recurrence), the switch to the
  // asymptotic series, large arguments, negative arguments (reflection).
  const Row rows[] = {
      {0.1, -10.423754940411076232, 101.4332991507927477, -2001.8614573783436732},
      {0.35, -2.9710708698259456439, 9.2404590422058127566, -47.733789913235738289},
      {2.5, 0.70315664064524318723, 0.49035775610023486497, -0.236204051641727403},
      {7.0, 1.8727843350984671394, 0.15354517795933754758, -0.023530472985855237466},
      {9.99, 2.250700372831201122, 0.10527695014824178439, -0.011073070531461051158},
      {10.0, 2.2517525890667211076, 0.10516633568168574612, -0.011049834970802067462},
      {12.0, 2.4426616799758120167, 0.08690187287176839075, -0.0075472053689989119399},
      {20.0, 2.9705239922421490509, 0.051270822935203119832, -0.0026281224023146545934},
      {100.0, 4.6001618527380874002, 0.010050166663333571395, -0.000101004999833349997},
      {1e4, 9.2102903711428494036, 0.00010000500016666666633, -1.0001000049999999833e-8},
      {-2.25, 4.1585835646579722748, 19.379410511869137363, 123.89694977406016558},
      {-7.3, 4.3373073055100501422, 14.951383181433921153, 68.821174063590335416},
  };
  for (const Row& r : rows) {
    CAPTURE(r.x);
    // Up to 20 recurrence steps or a reflection: a few roundings, amplified where psi is small.
    CHECK(tapegrad::digamma(r.x) == Approx(r.psi).epsilon(1e-14));
    CHECK(tapegrad::trigamma(r.x) == Approx(r.psi1).epsilon(1e-14));
    CHECK(tapegrad::tetragamma(r.x) == Approx(r.psi2).epsilon(1e-14));
  }
}

TEST_CASE("scalar ops: invalid input throws on the double, Var and HVar paths", "[scalar_ops]") {
  expect_ad("normal_lpdf_checked", [](const auto& x) { return normal_lpdf_checked(x); }, {{0.3, 1.2}, {-2.0, 0.5}});
  expect_ad_throws<std::domain_error>("normal_lpdf_checked", [](const auto& x) { return normal_lpdf_checked(x); },
                                      {{0.3, 0.0}, {0.3, -1.0}, {0.3, NAN}});
}
