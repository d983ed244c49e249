#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "autodiff/expect_ad.hpp"
#include "tapegrad/autodiff.hpp"

using tapegrad::Var;
using tapegrad_test::expect_ad;

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kEulerGamma = 0.57721566490153286061;
const std::vector<std::vector<double>> kAny{{-2.5}, {-0.3}, {0.7}, {3.2}};
// Away from 0: the finite-difference step (1e-3) must not reach the pole; near 0 the edge
// region test below compares with closed forms instead.
const std::vector<std::vector<double>> kPositive{{0.2}, {0.4}, {1.0}, {7.5}, {250.0}};
const std::vector<std::vector<double>> kPairs{{-1.5, 0.8}, {0.3, -2.0}, {2.2, 3.1}, {0.9, 0.9}};
const std::vector<std::vector<double>> kPositivePairs{{0.5, 0.8}, {2.3, -1.4}, {1.1, 3.0}};
}  // namespace

TEST_CASE("scalar ops: arithmetic, with Vars and doubles on either side", "[scalar_ops]") {
  expect_ad("a + b", [](const auto& x) { return x[0] + x[1]; }, kPairs);
  expect_ad("a - b", [](const auto& x) { return x[0] - x[1]; }, kPairs);
  expect_ad("a * b", [](const auto& x) { return x[0] * x[1]; }, kPairs);
  expect_ad("a / b", [](const auto& x) { return x[0] / x[1]; }, kPairs);
  expect_ad("a + 2.5", [](const auto& x) { return x[0] + 2.5; }, kAny);
  expect_ad("2.5 + a", [](const auto& x) { return 2.5 + x[0]; }, kAny);
  expect_ad("a - 2.5", [](const auto& x) { return x[0] - 2.5; }, kAny);
  expect_ad("2.5 - a", [](const auto& x) { return 2.5 - x[0]; }, kAny);
  expect_ad("a * 2.5", [](const auto& x) { return x[0] * 2.5; }, kAny);
  expect_ad("2.5 * a", [](const auto& x) { return 2.5 * x[0]; }, kAny);
  expect_ad("a / 2.5", [](const auto& x) { return x[0] / 2.5; }, kAny);
  expect_ad("2.5 / a", [](const auto& x) { return 2.5 / x[0]; }, kAny);
  expect_ad("-a", [](const auto& x) { return -x[0]; }, kAny);
  expect_ad("+a", [](const auto& x) { return +(x[0] * 1.0); }, kAny);
  expect_ad("a*b*a/(b+a*a)", [](const auto& x) { return x[0] * x[1] * x[0] / (x[1] + x[0] * x[0]); }, kPositivePairs);
}

TEST_CASE("scalar ops: compound assignment", "[scalar_ops]") {
  auto compound = [](const auto& x) {
    std::decay_t<decltype(x[0])> y = x[0];
    y += x[1];
    y *= x[0];
    y -= 0.5 * x[1];
    y /= x[1];
    y += 1.0;
    y *= 3.0;
    y -= 2.0;
    y /= 4.0;
    return y;
  };
  expect_ad("compound", compound, kPairs);
}

TEST_CASE("scalar ops: elementary functions", "[scalar_ops]") {
  expect_ad("exp", [](const auto& x) { using std::exp; return exp(x[0]); }, kAny);
  expect_ad("log", [](const auto& x) { using std::log; return log(x[0]); }, kPositive);
  expect_ad("log1p", [](const auto& x) { using std::log1p; return log1p(x[0]); }, {{-0.5}, {1e-10}, {0.0}, {3.0}});
  expect_ad("expm1", [](const auto& x) { using std::expm1; return expm1(x[0]); }, {{-2.0}, {1e-10}, {0.0}, {1.5}});
  expect_ad("sqrt", [](const auto& x) { using std::sqrt; return sqrt(x[0]); }, kPositive);
  expect_ad("square", [](const auto& x) { return tapegrad::square(x[0]); }, kAny);
  expect_ad("abs", [](const auto& x) { using std::abs; return abs(x[0]); }, kAny);
  expect_ad("sin", [](const auto& x) { using std::sin; return sin(x[0]); }, kAny);
  expect_ad("cos", [](const auto& x) { using std::cos; return cos(x[0]); }, kAny);
  expect_ad("tanh", [](const auto& x) { using std::tanh; return tanh(x[0]); }, kAny);
  expect_ad("erf", [](const auto& x) { using std::erf; return erf(x[0]); }, kAny);
  expect_ad("pow(a, 2.5)", [](const auto& x) { using std::pow; return pow(x[0], 2.5); }, kPositive);
  expect_ad("pow(2.5, a)", [](const auto& x) { using std::pow; return pow(2.5, x[0]); }, kAny);
  expect_ad("pow(a, b)", [](const auto& x) { using std::pow; return pow(x[0], x[1]); }, kPositivePairs);
}

TEST_CASE("scalar ops: stable primitives", "[scalar_ops]") {
  const std::vector<std::vector<double>> logits{{-30.0}, {-2.0}, {0.0}, {1.5}, {30.0}};
  expect_ad("sigmoid", [](const auto& x) { return tapegrad::sigmoid(x[0]); }, logits);
  expect_ad("softplus", [](const auto& x) { return tapegrad::softplus(x[0]); }, logits);
  expect_ad("log1p_exp", [](const auto& x) { return tapegrad::log1p_exp(x[0]); }, logits);
  expect_ad("log_sigmoid", [](const auto& x) { return tapegrad::log_sigmoid(x[0]); }, logits);
  expect_ad("log_sum_exp(a, b)", [](const auto& x) { return tapegrad::log_sum_exp(x[0], x[1]); }, kPairs);
  expect_ad("log_sum_exp(a, 2.0)", [](const auto& x) { return tapegrad::log_sum_exp(x[0], 2.0); }, kAny);
  expect_ad("log_sum_exp(n-ary)", [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    return tapegrad::log_sum_exp(std::vector<T>{x[0], x[1], T(x[0] * x[1])});
  }, kPairs);
  expect_ad("sum(n-ary)", [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    return tapegrad::sum(std::vector<T>{x[0], T(x[1] * x[1]), T(x[0] * x[1])});
  }, kPairs);
}

TEST_CASE("scalar ops: gamma family", "[scalar_ops]") {
  expect_ad("lgamma", [](const auto& x) { using std::lgamma; return lgamma(x[0]); }, {{0.05}, {0.5}, {1.0}, {3.7}, {-0.5}, {40.0}});
  expect_ad("digamma", [](const auto& x) { return tapegrad::digamma(x[0]); }, {{0.05}, {0.5}, {1.0}, {3.7}, {-0.5}, {40.0}});
}

TEST_CASE("scalar ops: digamma, trigamma, tetragamma at closed forms", "[scalar_ops]") {
  // Small arguments are shifted up to 10 by recurrence: up to ten roundings, so 1e-14.
  CHECK(tapegrad::digamma(1.0) == Approx(-kEulerGamma).epsilon(1e-14));
  CHECK(tapegrad::digamma(0.5) == Approx(-kEulerGamma - 2 * std::log(2.0)).epsilon(1e-14));
  CHECK(tapegrad::digamma(-0.5) == Approx(-kEulerGamma - 2 * std::log(2.0) + 2).epsilon(1e-14));  // psi(x+1) = psi(x) + 1/x
  CHECK(tapegrad::digamma(1e6) == Approx(std::log(1e6) - 0.5e-6 - 1.0 / 12e12).epsilon(1e-15));
  CHECK(tapegrad::trigamma(1.0) == Approx(kPi * kPi / 6).epsilon(1e-14));
  CHECK(tapegrad::trigamma(0.5) == Approx(kPi * kPi / 2).epsilon(1e-14));
  CHECK(tapegrad::trigamma(-0.5) == Approx(kPi * kPi / 2 + 4).epsilon(1e-14));  // psi1(x) = psi1(x+1) + 1/x^2
  CHECK(tapegrad::tetragamma(1.0) == Approx(-2.4041138063191885).epsilon(1e-14));  // -2 zeta(3)
  CHECK(std::isnan(tapegrad::digamma(0.0)));
  CHECK(std::isnan(tapegrad::trigamma(-2.0)));
}

TEST_CASE("scalar ops: edge regions have finite values and exact gradients", "[scalar_ops]") {
  tapegrad::ScopedTape tape;
  auto grad = [&](const Var& y, const Var& x) {
    tape.backward(y.index());
    return tape.adjoint(x.index());
  };
  Var big = 1000.0, small = -1000.0;
  Var sp_big = tapegrad::softplus(big), sp_small = tapegrad::softplus(small);
  CHECK(sp_big.value() == 1000.0);
  CHECK(sp_small.value() == 0.0);
  CHECK(grad(sp_big, big) == 1.0);
  CHECK(grad(sp_small, small) == 0.0);
  Var ls_small = tapegrad::log_sigmoid(small), ls_big = tapegrad::log_sigmoid(big);
  CHECK(ls_small.value() == -1000.0);
  CHECK(ls_big.value() == 0.0);
  CHECK(grad(ls_small, small) == 1.0);
  CHECK(grad(ls_big, big) == 0.0);
  Var s_big = tapegrad::sigmoid(big), s_small = tapegrad::sigmoid(small);
  CHECK(s_big.value() == 1.0);
  CHECK(s_small.value() == 0.0);
  CHECK(grad(s_big, big) == 0.0);
  Var lse = tapegrad::log_sum_exp(big, big);
  CHECK(lse.value() == Approx(1000.0 + std::log(2.0)));
  CHECK(grad(lse, big) == Approx(1.0));  // 1/2 from each side
  Var lse_n = tapegrad::log_sum_exp(std::vector<Var>{big, small, Var(999.0)});
  CHECK(lse_n.value() == Approx(1000.0 + std::log1p(std::exp(-1.0))));
  CHECK(grad(lse_n, small) == 0.0);

  // log1p and expm1 near 0 keep full relative precision.
  Var tiny = 1e-10;
  Var l1p = log1p(tiny);
  CHECK(l1p.value() == Approx(1e-10 - 0.5e-20).epsilon(1e-15));
  CHECK(grad(l1p, tiny) == Approx(1 / (1 + 1e-10)).epsilon(1e-15));
  Var em1 = expm1(tiny);
  CHECK(em1.value() == Approx(1e-10 + 0.5e-20).epsilon(1e-15));

  // lgamma near 0 and large: d/dx lgamma = digamma ~ -1/x - gamma near 0, ~ log x - 1/(2x) far out.
  Var near0 = 1e-8;
  Var lg0 = lgamma(near0);
  CHECK(lg0.value() == Approx(-std::log(1e-8) - kEulerGamma * 1e-8).epsilon(1e-14));
  CHECK(grad(lg0, near0) == Approx(-1e8 - kEulerGamma).epsilon(1e-14));
  Var far = 1e6;
  Var lgf = lgamma(far);
  CHECK(lgf.value() == Approx(std::lgamma(1e6)).epsilon(1e-15));
  CHECK(grad(lgf, far) == Approx(std::log(1e6) - 0.5e-6).epsilon(1e-14));
}

TEST_CASE("scalar ops: comparisons look at values", "[scalar_ops]") {
  tapegrad::ScopedTape tape;
  Var a = 1.0, b = 2.0;
  CHECK(a < b);
  CHECK(a <= b);
  CHECK(b > a);
  CHECK(b >= a);
  CHECK(a != b);
  CHECK(a == 1.0);
  CHECK(1.0 == a);
  CHECK(a * 2.0 == b);
  CHECK(exp(a) > 2.0);
  CHECK_FALSE(a > b);
  // A branch on a value records only the taken path.
  const std::size_t before = tape.n_statements();
  Var y = a < b ? Var(a * b) : Var(a / b);
  CHECK(tape.n_statements() == before + 1);
  CHECK(y.value() == 2.0);
}

TEST_CASE("scalar ops: pow's derivative in the base is 0 where the power is 0", "[scalar_ops]") {
  tapegrad::ScopedTape tape;
  Var base = 0.0, expo = 2.0;
  Var p = pow(base, expo);
  tape.backward(p.index());
  CHECK(tape.adjoint(base.index()) == 0.0);
  CHECK(tape.adjoint(expo.index()) == 0.0);  // a^b log a -> 0, not NaN
}
