// Log densities (densities.hpp): closed-form values; the scalar forms through expect_ad (value on
// the double, Var and HVar paths, gradient and Hessian against finite differences); the fused
// vectorised nodes against sums of the scalar forms (value, gradient, H v) and against finite
// differences; logits of +-1000; second order (logistic regression -X^T W X, the normal with a
// learned sigma); domain errors with their messages on every path; O(1) tape size.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "alloc_counter.hpp"
#include "autodiff/expect_ad.hpp"
#include "tapegrad/autodiff.hpp"

using tapegrad::Dual;
using tapegrad::HVar;
using tapegrad::Var;
using tapegrad_test::expect_ad;
using tapegrad_test::expect_ad_throws;
using tapegrad_test::expect_derivatives;
using tapegrad_test::Points;

namespace {

constexpr double kPi = 3.14159265358979323846;
const double kLogTwoPi = std::log(2 * kPi);

struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y_normal, y_binary, y_count;
  Eigen::VectorXi y_class;
};

Problem make_problem(Eigen::Index n, Eigen::Index d, Eigen::Index k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z;
  std::uniform_int_distribution<int> cls(0, static_cast<int>(k) - 1);
  std::poisson_distribution<int> counts(2.5);
  Problem p;
  p.X.resize(n, d);
  p.y_normal.resize(n);
  p.y_binary.resize(n);
  p.y_count.resize(n);
  p.y_class.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) p.X(i, j) = z(rng);
    p.y_normal[i] = z(rng);
    p.y_binary[i] = z(rng) > 0 ? 1.0 : 0.0;
    p.y_count[i] = counts(rng);
    p.y_class[i] = cls(rng);
  }
  p.y_count[0] = 300;  // one count beyond the log-factorial table
  return p;
}

Eigen::VectorXd random_vector(Eigen::Index n, double scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z;
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = scale * z(rng);
  return v;
}

void expect_passed(const tapegrad::CheckReport& report) {
  INFO(report.table());
  CHECK(report.passed);
}

// sum_i categorical_logit_lpmf(y_i, row i) with the logits th as a column-major N x 3 matrix: the
// scalar form the vectorised one must equal.
template <class Th>
auto categorical_row_sum(const Eigen::VectorXi& y, const Th& th) {
  using T = std::decay_t<decltype(th[0])>;
  const auto n = static_cast<std::size_t>(y.size());
  T total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += tapegrad::categorical_logit_lpmf(y[static_cast<Eigen::Index>(i)], std::vector<T>{th[i], th[i + n], th[i + 2 * n]});
  }
  return total;
}

double rel_diff(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(1.0, b.lpNorm<Eigen::Infinity>());
}

// f(T{}) records on a fresh Var tape and on a fresh HVar tape (T = double, Dual); both throw E
// with exactly this message.
template <class E, class F>
void expect_throws_on_both_tapes(const F& f, const std::string& message) {
  {
    tapegrad::ScopedTape tape;
    CHECK_THROWS_MATCHES(f(0.0), E, Catch::Message(message));
  }
  {
    tapegrad::BasicScopedTape<Dual> tape;
    CHECK_THROWS_MATCHES(f(Dual(0.0)), E, Catch::Message(message));
  }
}

// f(T(0.0)) with T = double, Var (on a Var tape) and HVar (on an HVar tape) throws a domain_error
// with exactly this message.
template <class F>
void expect_domain_error_on_every_path(const F& f, const std::string& message) {
  CHECK_THROWS_MATCHES(f(0.0), std::domain_error, Catch::Message(message));
  {
    tapegrad::ScopedTape tape;
    CHECK_THROWS_MATCHES(f(Var(0.0)), std::domain_error, Catch::Message(message));
  }
  {
    tapegrad::BasicScopedTape<Dual> tape;
    CHECK_THROWS_MATCHES(f(HVar(0.0)), std::domain_error, Catch::Message(message));
  }
}

// A data temporary does not compile (it would dangle before the reverse pass).
template <class Y, class = void>
struct accepts_normal_data : std::false_type {};
template <class Y>
struct accepts_normal_data<Y, std::void_t<decltype(tapegrad::normal_lpdf(std::declval<Y>(),
                                                                         std::declval<const tapegrad::MatVar&>(), 1.0))>>
    : std::true_type {};
template <class Y, class = void>
struct accepts_categorical_data : std::false_type {};
template <class Y>
struct accepts_categorical_data<
    Y, std::void_t<decltype(tapegrad::categorical_logit_lpmf(std::declval<Y>(), std::declval<const tapegrad::MatVar&>()))>>
    : std::true_type {};
static_assert(accepts_normal_data<const Eigen::VectorXd&>::value, "an lvalue data vector is accepted");
static_assert(accepts_normal_data<Eigen::VectorXd&>::value, "an lvalue data vector is accepted");
static_assert(!accepts_normal_data<Eigen::VectorXd>::value, "a temporary data vector is rejected");
static_assert(accepts_categorical_data<const Eigen::VectorXi&>::value, "an lvalue label vector is accepted");
static_assert(!accepts_categorical_data<Eigen::VectorXi>::value, "a temporary label vector is rejected");

}  // namespace

TEST_CASE("densities: scalar values equal closed forms", "[densities]") {
  // Integer arguments are numbers, not integer division.
  CHECK(tapegrad::normal_lpdf(1, 0, 2) == Approx(-std::log(2.0) - 0.5 * kLogTwoPi - 0.125).epsilon(1e-15));
  CHECK(tapegrad::normal_lpdf(1.0, 0.0, 2.0) == tapegrad::normal_lpdf(1, 0, 2));
  // dnorm(1.5, 0.5, 0.25, log = TRUE) in R; the reference number computed with Python's math.
  CHECK(tapegrad::normal_lpdf(1.5, 0.5, 0.25) == Approx(-7.532644172084782).epsilon(1e-14));
  CHECK(tapegrad::poisson_log_lpmf(3, std::log(2.0)) == Approx(3 * std::log(2.0) - 2 - std::log(6.0)).epsilon(1e-15));
  // dpois(7, 3.5, log = TRUE) in R; the reference number computed with Python's math.
  CHECK(tapegrad::poisson_log_lpmf(7, std::log(3.5)) == Approx(-3.2558205815978383).epsilon(1e-14));
  CHECK(tapegrad::poisson_log_lpmf(0, -INFINITY) == 0.0);  // rate 0: P(0) = 1
  CHECK(tapegrad::poisson_log_lpmf(2, -INFINITY) == -INFINITY);
  CHECK(tapegrad::bernoulli_logit_lpmf(1, 0.0) == Approx(std::log(0.5)).epsilon(1e-15));
  CHECK(tapegrad::bernoulli_logit_lpmf(0, std::log(3.0)) == Approx(std::log(0.25)).epsilon(1e-15));  // p = 3/4
  // Student-t with nu = 1 is the Cauchy: -log(pi sigma (1 + z^2)).
  CHECK(tapegrad::student_t_lpdf(2.0, 1.0, 0.5, 1.5) == Approx(-std::log(kPi * 1.5 * 2.0)).epsilon(1e-14));
  // nu = 2: (1/sigma) (2 sqrt 2)^-1 (1 + z^2/2)^(-3/2).
  const double z = (0.3 - 1.1) / 0.7;
  CHECK(tapegrad::student_t_lpdf(0.3, 2, 1.1, 0.7) ==
        Approx(-std::log(0.7) - std::log(2 * std::sqrt(2.0)) - 1.5 * std::log1p(z * z / 2)).epsilon(1e-14));
  // Large nu tends to the normal.
  CHECK(tapegrad::student_t_lpdf(0.4, 1e8, -0.2, 1.3) == Approx(tapegrad::normal_lpdf(0.4, -0.2, 1.3)).epsilon(1e-7));
  const std::vector<double> eta{0.1, -0.4, 1.2};
  const double lse = std::log(std::exp(0.1) + std::exp(-0.4) + std::exp(1.2));
  CHECK(tapegrad::categorical_logit_lpmf(2, eta) == Approx(1.2 - lse).epsilon(1e-15));
  CHECK(tapegrad::categorical_logit_lpmf(0, eta) == Approx(0.1 - lse).epsilon(1e-15));
}

TEST_CASE("densities: normal_lpdf value, gradient and Hessian equal closed forms on every path", "[densities]") {
  // At (y, mu, sigma) = (1, 0, 2): r = 1; d/dy = -r/s^2, d/dmu = r/s^2, d/ds = -1/s + r^2/s^3;
  // d2/dy2 = -1/s^2, d2/dy ds = 2r/s^3, d2/ds2 = 1/s^2 - 3 r^2/s^4.
  expect_derivatives("normal_lpdf", AD_FN(tapegrad::normal_lpdf(x[0], x[1], x[2])), {1.0, 0.0, 2.0},
                     -std::log(2.0) - 0.5 * kLogTwoPi - 0.125, {-0.25, 0.25, -0.375},
                     {{-0.25, 0.25, 0.25}, {0.25, -0.25, -0.25}, {0.25, -0.25, 0.0625}}, 1e-15);
}

TEST_CASE("densities: scalar forms through expect_ad at many points", "[densities]") {
  expect_ad("normal_lpdf", AD_FN(tapegrad::normal_lpdf(x[0], x[1], x[2])),
            {{1.0, 0.0, 2.0}, {-0.3, 0.8, 0.45}, {4.5, -2.0, 3.0}, {0.0, 0.0, 1.0}, {12.0, 11.5, 0.6}});
  expect_ad("normal_lpdf, data y", AD_FN(tapegrad::normal_lpdf(0.7, x[0], x[1])), {{0.2, 1.3}, {-4.0, 0.5}});
  expect_ad("student_t_lpdf", AD_FN(tapegrad::student_t_lpdf(x[0], x[1], x[2], x[3])),
            {{0.3, 2.5, -0.2, 0.8}, {-1.5, 1.0, 1.0, 2.0}, {4.0, 30.0, 0.1, 0.6}, {2.0, 0.7, 0.0, 1.5},
             {-6.0, 4.0, 3.0, 1.2}});
  expect_ad("student_t_lpdf, data y and nu", AD_FN(tapegrad::student_t_lpdf(1.2, 3.0, x[0], x[1])),
            {{0.0, 1.0}, {5.0, 0.4}});
  const Points logits{{-20.0}, {-4.5}, {-0.7}, {0.0}, {0.4}, {3.0}, {25.0}};
  expect_ad("bernoulli_logit_lpmf(1)", AD_FN(tapegrad::bernoulli_logit_lpmf(1, x[0])), logits);
  expect_ad("bernoulli_logit_lpmf(0)", AD_FN(tapegrad::bernoulli_logit_lpmf(0, x[0])), logits);
  expect_ad("bernoulli_logit_lpmf of an expression", AD_FN(tapegrad::bernoulli_logit_lpmf(1, x[0] * x[1])),
            {{0.3, -0.2}, {-1.5, 1.0}, {4.0, 0.1}});
  const Points log_rates{{-3.0}, {-0.5}, {0.0}, {0.7}, {2.5}};
  for (int y : {0, 1, 4, 17, 300}) {
    expect_ad("poisson_log_lpmf(" + std::to_string(y) + ")", [y](const auto& x) { return tapegrad::poisson_log_lpmf(y, x[0]); },
              log_rates);
  }
  const Points triples{{0.1, -0.4, 1.2}, {5.0, 5.0, 5.0}, {-3.0, 1.0, -7.5}, {10.0, -10.0, 0.0}, {0.3, -1.2, 2.0}};
  // eta_y - log_sum_exp(eta) for a dominant class y cancels: at (10, -10, 0) the value is -4.5e-5
  // from terms of size 10, and H v from tangents of size |v|; rounding on those is 1e-16 |v|, more
  // than 1e-13 of the small result's scale that expect_ad allows by default.
  tapegrad_test::AdTolerance cancelling;
  cancelling.exact_rel = 1e-11;
  for (int y : {0, 1, 2}) {
    expect_ad("categorical_logit_lpmf(" + std::to_string(y) + ")",
              [y](const auto& x) {
                using T = std::decay_t<decltype(x[0])>;
                return tapegrad::categorical_logit_lpmf(y, std::vector<T>{x[0], x[1], x[2]});
              },
              triples, cancelling);
  }
}

TEST_CASE("densities: logits of +-1000 give finite values and exact gradients", "[densities]") {
  // log_sigmoid(-1000) = -1000 exactly; d/d eta = 1 - sigmoid(eta) = 1 exactly; second derivative 0.
  expect_derivatives("bernoulli_logit_lpmf(1, -1000)", AD_FN(tapegrad::bernoulli_logit_lpmf(1, x[0])), {-1000.0},
                     -1000.0, {1.0}, {{0.0}}, 0.0);
  expect_derivatives("bernoulli_logit_lpmf(0, 1000)", AD_FN(tapegrad::bernoulli_logit_lpmf(0, x[0])), {1000.0}, -1000.0,
                     {-1.0}, {{0.0}}, 0.0);
  expect_derivatives("bernoulli_logit_lpmf(1, 1000)", AD_FN(tapegrad::bernoulli_logit_lpmf(1, x[0])), {1000.0}, 0.0,
                     {0.0}, {{0.0}}, 0.0);
  expect_derivatives("bernoulli_logit_lpmf(0, -1000)", AD_FN(tapegrad::bernoulli_logit_lpmf(0, x[0])), {-1000.0}, 0.0,
                     {0.0}, {{0.0}}, 0.0);
  expect_derivatives("categorical_logit_lpmf at +-1000",
                     AD_FN(tapegrad::categorical_logit_lpmf(1, std::vector<T>{x[0], x[1], x[2]})), {1000.0, -1000.0, 0.0},
                     -2000.0, {-1.0, 1.0, 0.0}, {}, 0.0);

  // The vectorised nodes, on a Var tape and on an HVar tape.
  Eigen::VectorXd y(4);
  y << 1, 0, 1, 0;
  Eigen::MatrixXd e(4, 1);
  e << -1000, 1000, 1000, -1000;
  Eigen::VectorXi cls(1);
  cls << 1;
  Eigen::MatrixXd logits(1, 3);
  logits << 1000, -1000, 0;
  auto check_tape = [&](auto zero) {
    using Real = decltype(zero);
    tapegrad::BasicScopedTape<Real> tape;
    tapegrad::BasicMatVar<Real> eta(e);
    tapegrad::BasicVar<Real> lp = tapegrad::bernoulli_logit_lpmf(y, eta);
    CHECK(tapegrad::value_of(lp.value()) == -2000.0);
    tape.backward(lp.index());
    const Eigen::MatrixXd g = eta.adjoint().unaryExpr([](const Real& v) { return tapegrad::value_of(v); });
    CHECK(g(0, 0) == 1.0);
    CHECK(g(1, 0) == -1.0);
    // sigmoid(-1000) is below the smallest double: 0, or a tiny number from Eigen's SIMD exp.
    CHECK(std::abs(g(2, 0)) < 1e-300);
    CHECK(std::abs(g(3, 0)) < 1e-300);

    tapegrad::BasicMatVar<Real> l(logits);
    tapegrad::BasicVar<Real> lc = tapegrad::categorical_logit_lpmf(cls, l);
    CHECK(tapegrad::value_of(lc.value()) == -2000.0);
    tape.backward(lc.index());
    CHECK(tapegrad::value_of(l.adjoint()(0, 0)) == -1.0);
    CHECK(tapegrad::value_of(l.adjoint()(0, 1)) == 1.0);
    CHECK(std::abs(tapegrad::value_of(l.adjoint()(0, 2))) < 1e-300);
  };
  check_tape(0.0);
  check_tape(Dual(0.0));
}

TEST_CASE("densities: vectorised forms equal sums of scalar forms (value, gradient, H v)", "[densities]") {
  // 260 rows: one full block of the double path and a partial one.
  const Eigen::Index n = 260, k = 3;
  const Problem p = make_problem(n, 1, k, 7);
  Eigen::VectorXd x(n + 2);
  x.head(n) = random_vector(n, 1.5, 8);
  x[n] = 1.3;      // sigma
  x[n + 1] = 4.5;  // nu
  Eigen::VectorXd x_cat = random_vector(n * k, 2.0, 9);

  auto normal_vec = [&](const auto& th) { return tapegrad::normal_lpdf(p.y_normal, tapegrad::to_matrix(th, 0, n, 1), th[n]); };
  auto normal_sum = [&](const auto& th) {
    std::decay_t<decltype(th[0])> total = 0;
    for (Eigen::Index i = 0; i < n; ++i) total += tapegrad::normal_lpdf(p.y_normal[i], th[i], th[n]);
    return total;
  };
  auto student_vec = [&](const auto& th) {
    return tapegrad::student_t_lpdf(p.y_normal, th[n + 1], tapegrad::to_matrix(th, 0, n, 1), th[n]);
  };
  auto student_sum = [&](const auto& th) {
    std::decay_t<decltype(th[0])> total = 0;
    for (Eigen::Index i = 0; i < n; ++i) total += tapegrad::student_t_lpdf(p.y_normal[i], th[n + 1], th[i], th[n]);
    return total;
  };
  auto bern_vec = [&](const auto& th) { return tapegrad::bernoulli_logit_lpmf(p.y_binary, tapegrad::to_matrix(th, 0, n, 1)); };
  auto bern_sum = [&](const auto& th) {
    std::decay_t<decltype(th[0])> total = 0;
    for (Eigen::Index i = 0; i < n; ++i) total += tapegrad::bernoulli_logit_lpmf(static_cast<int>(p.y_binary[i]), th[i]);
    return total;
  };
  auto pois_vec = [&](const auto& th) { return tapegrad::poisson_log_lpmf(p.y_count, tapegrad::to_matrix(th, 0, n, 1)); };
  auto pois_sum = [&](const auto& th) {
    std::decay_t<decltype(th[0])> total = 0;
    for (Eigen::Index i = 0; i < n; ++i) total += tapegrad::poisson_log_lpmf(static_cast<int>(p.y_count[i]), th[i]);
    return total;
  };
  auto cat_vec = [&](const auto& th) { return tapegrad::categorical_logit_lpmf(p.y_class, tapegrad::to_matrix(th, 0, n, k)); };
  auto cat_sum = [&](const auto& th) { return categorical_row_sum(p.y_class, th); };

  auto compare = [](const char* name, auto vec, auto sum, const Eigen::VectorXd& at) {
    INFO(name);
    const tapegrad::GradientResult a = tapegrad::gradient(vec, at);
    const tapegrad::GradientResult b = tapegrad::gradient(sum, at);
    CHECK(a.value == Approx(b.value).epsilon(1e-13));
    CHECK(rel_diff(a.gradient, b.gradient) < 1e-13);
    for (unsigned seed : {1u, 2u}) {
      const Eigen::VectorXd v = random_vector(at.size(), 1.0, seed);
      const Eigen::VectorXd hv_a = tapegrad::hessian_vector(vec, at, v);
      const Eigen::VectorXd hv_b = tapegrad::hessian_vector(sum, at, v);
      CHECK(rel_diff(hv_a, hv_b) < 1e-12);
    }
  };
  compare("normal_lpdf", normal_vec, normal_sum, x);
  compare("student_t_lpdf", student_vec, student_sum, x);
  compare("bernoulli_logit_lpmf", bern_vec, bern_sum, x.head(n));
  compare("poisson_log_lpmf", pois_vec, pois_sum, x.head(n));
  compare("categorical_logit_lpmf", cat_vec, cat_sum, x_cat);

  tapegrad::ScopedTape tape;
  // Counts on both sides of the log-factorial table's end (255, 256) and far beyond it.
  Eigen::VectorXd big_counts(6);
  big_counts << 0, 255, 256, 300, 1000, 123456;
  const Eigen::MatrixXd log_rates = Eigen::MatrixXd::Constant(6, 1, 5.0);
  for (Eigen::Index i = 0; i < big_counts.size(); ++i) {
    const Eigen::VectorXd one = big_counts.segment(i, 1);
    const Eigen::MatrixXd rate = log_rates.topRows(1);
    const double vec = tapegrad::poisson_log_lpmf(one, tapegrad::MatVar(rate)).value();
    const double scalar = tapegrad::poisson_log_lpmf(static_cast<int>(big_counts[i]), 5.0);
    CAPTURE(big_counts[i], vec, scalar);
    // Within a few ulps of log(y!) (the terms cancel: the result may be far smaller).
    CHECK(std::abs(vec - scalar) <= 1e-15 * std::max(1.0, std::lgamma(big_counts[i] + 1)));
  }
  // A fixed sigma (a double) and a learned one give the same value and the same d/dmu; the
  // learned one's d/dsigma is (RSS / sigma^2 - n) / sigma.
  Eigen::MatrixXd mu_value = x.head(n);
  tapegrad::MatVar mu(mu_value);
  Var sigma = 1.3;
  const Var fixed = tapegrad::normal_lpdf(p.y_normal, mu, 1.3);
  const Var learned = tapegrad::normal_lpdf(p.y_normal, mu, sigma);
  CHECK(fixed.value() == learned.value());
  tape.backward(fixed.index());
  const Eigen::MatrixXd d_mu_fixed = mu.adjoint();
  CHECK(tape.adjoint(sigma.index()) == 0.0);
  tape.backward(learned.index());
  CHECK(mu.adjoint() == d_mu_fixed);
  const double rss = (p.y_normal - mu_value).squaredNorm();
  CHECK(tape.adjoint(sigma.index()) == Approx((rss / (1.3 * 1.3) - n) / 1.3).epsilon(1e-14));
}

TEST_CASE("densities: vectorised gradients and Hessians match finite differences", "[densities]") {
  const Problem p = make_problem(30, 2, 3, 11);
  const Eigen::MatrixXd& X = p.X;
  auto linear = [&X](const auto& th) { return tapegrad::matmul(X, tapegrad::to_matrix(th, 0, 2, 1)); };
  // sigma = exp(th[2]) and nu = exp(th[3]) are expressions: they exercise the expression argument.
  auto normal = [&](const auto& th) { return tapegrad::normal_lpdf(p.y_normal, linear(th), exp(th[2])); };
  auto student = [&](const auto& th) { return tapegrad::student_t_lpdf(p.y_normal, exp(th[3]), linear(th), exp(th[2])); };
  auto bern = [&](const auto& th) { return tapegrad::bernoulli_logit_lpmf(p.y_binary, linear(th)); };
  auto pois = [&](const auto& th) { return tapegrad::poisson_log_lpmf(p.y_count, linear(th)); };
  auto cat = [&](const auto& th) {
    return tapegrad::categorical_logit_lpmf(p.y_class, tapegrad::matmul(X, tapegrad::to_matrix(th, 0, 2, 3)));
  };
  tapegrad::CheckOptions hessian_tol;
  hessian_tol.rel_tol = 1e-7;  // finite differences of an exact gradient, Richardson at h = 1e-3
  const Eigen::VectorXd points[] = {random_vector(6, 0.5, 21), random_vector(6, 0.5, 22), random_vector(6, 0.5, 23)};
  for (const Eigen::VectorXd& x : points) {
    CAPTURE(x.transpose());
    expect_passed(tapegrad::check_gradient_on_tape(normal, x.head(3)));
    expect_passed(tapegrad::check_gradient_on_tape(student, x.head(4)));
    expect_passed(tapegrad::check_gradient_on_tape(bern, x.head(2)));
    expect_passed(tapegrad::check_gradient_on_tape(pois, x.head(2)));
    expect_passed(tapegrad::check_gradient_on_tape(cat, x));
    expect_passed(tapegrad::check_hessian(normal, x.head(3), hessian_tol));
    expect_passed(tapegrad::check_hessian(student, x.head(4), hessian_tol));
    expect_passed(tapegrad::check_hessian(bern, x.head(2), hessian_tol));
    expect_passed(tapegrad::check_hessian(pois, x.head(2), hessian_tol));
    expect_passed(tapegrad::check_hessian(cat, x, hessian_tol));
  }
}

TEST_CASE("densities: the logistic regression Hessian is -X^T W X to 1e-10", "[densities]") {
  const Problem p = make_problem(200, 4, 2, 3);
  Eigen::VectorXd w(4);
  w << 0.5, -0.25, 0.1, 1.0;
  auto loglik = [&](const auto& th) {
    return tapegrad::bernoulli_logit_lpmf(p.y_binary, tapegrad::matmul(p.X, tapegrad::to_matrix(th, 0, 4, 1)));
  };
  const Eigen::MatrixXd H = tapegrad::hessian(loglik, w);
  const Eigen::ArrayXd prob = 1.0 / (1.0 + (-(p.X * w).array()).exp());
  const Eigen::MatrixXd expected = -(p.X.transpose() * (prob * (1 - prob)).matrix().asDiagonal() * p.X);
  CHECK((H - expected).norm() / expected.norm() < 1e-10);
  // The gradient too: X^T (y - p).
  const Eigen::VectorXd g = tapegrad::gradient(loglik, w).gradient;
  CHECK((g - p.X.transpose() * (p.y_binary.array() - prob).matrix()).norm() < 1e-10);
}

TEST_CASE("densities: the normal with a learned sigma: Hessian in closed form, sigma^2_MLE = RSS / n", "[densities]") {
  const Problem p = make_problem(150, 3, 2, 13);
  auto loglik = [&](const auto& th) {
    return tapegrad::normal_lpdf(p.y_normal, tapegrad::matmul(p.X, tapegrad::to_matrix(th, 0, 3, 1)), th[3]);
  };
  Eigen::VectorXd x(4);
  x << 0.2, -0.1, 0.3, 0.9;
  const double n = 150, s = x[3];
  const Eigen::VectorXd r = p.y_normal - p.X * x.head(3);
  // d2/db2 = -X^T X / s^2, d2/db ds = -2 X^T r / s^3, d2/ds2 = n / s^2 - 3 RSS / s^4.
  Eigen::MatrixXd expected(4, 4);
  expected.topLeftCorner(3, 3) = -p.X.transpose() * p.X / (s * s);
  expected.topRightCorner(3, 1) = -2 * p.X.transpose() * r / (s * s * s);
  expected.bottomLeftCorner(1, 3) = expected.topRightCorner(3, 1).transpose();
  expected(3, 3) = n / (s * s) - 3 * r.squaredNorm() / (s * s * s * s);
  const tapegrad::HessianResult h = tapegrad::value_gradient_hessian(loglik, x);
  CHECK((h.hessian - expected).norm() / expected.norm() < 1e-12);
  CHECK(h.value == Approx(-n * std::log(s) - 0.5 * n * kLogTwoPi - 0.5 * r.squaredNorm() / (s * s)).epsilon(1e-14));
  // Finite differences of the exact gradient agree.
  tapegrad::CheckOptions tol;
  tol.rel_tol = 1e-7;
  expect_passed(tapegrad::check_hessian(loglik, x, tol));

  // At the least-squares coefficients and sigma^2 = RSS / n the gradient vanishes.
  Eigen::VectorXd mle(4);
  mle.head(3) = (p.X.transpose() * p.X).ldlt().solve(p.X.transpose() * p.y_normal);
  mle[3] = std::sqrt((p.y_normal - p.X * mle.head(3)).squaredNorm() / n);
  CHECK(tapegrad::gradient(loglik, mle).gradient.lpNorm<Eigen::Infinity>() < 1e-10);
}

TEST_CASE("densities: scalar forms reject invalid parameters on the double, Var and HVar paths", "[densities]") {
  using std::vector;
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::normal_lpdf(zero, zero, T(-1.0)); },
      "normal_lpdf: sigma must be positive and finite, got -1");
  expect_domain_error_on_every_path([](auto zero) { return tapegrad::normal_lpdf(zero, zero, zero); },
                                    "normal_lpdf: sigma must be positive and finite, got 0");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::normal_lpdf(zero, zero, T(INFINITY)); },
      "normal_lpdf: sigma must be positive and finite, got inf");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::normal_lpdf(zero, zero, T(NAN)); },
      "normal_lpdf: sigma must be positive and finite, got nan");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::normal_lpdf(T(NAN), zero, T(1.0)); },
      "normal_lpdf: y must not be NaN, got nan");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::normal_lpdf(zero, T(NAN), T(1.0)); },
      "normal_lpdf: mu must not be NaN, got nan");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::student_t_lpdf(zero, zero, zero, T(1.0)); },
      "student_t_lpdf: nu must be positive and finite, got 0");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::student_t_lpdf(zero, T(-2.5), zero, T(1.0)); },
      "student_t_lpdf: nu must be positive and finite, got -2.5");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::student_t_lpdf(zero, T(3.0), zero, T(-0.1)); },
      "student_t_lpdf: sigma must be positive and finite, got -0.1");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::student_t_lpdf(T(NAN), T(3.0), zero, T(1.0)); },
      "student_t_lpdf: y must not be NaN, got nan");
  expect_domain_error_on_every_path([](auto zero) { return tapegrad::bernoulli_logit_lpmf(2, zero); },
                                    "bernoulli_logit_lpmf: y must be 0 or 1, got 2");
  expect_domain_error_on_every_path([](auto zero) { return tapegrad::bernoulli_logit_lpmf(-1, zero); },
                                    "bernoulli_logit_lpmf: y must be 0 or 1, got -1");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::bernoulli_logit_lpmf(1, T(NAN)); },
      "bernoulli_logit_lpmf: eta must not be NaN, got nan");
  expect_domain_error_on_every_path([](auto zero) { return tapegrad::poisson_log_lpmf(-1, zero); },
                                    "poisson_log_lpmf: y must be a non-negative integer count, got -1");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::poisson_log_lpmf(3, T(NAN)); },
      "poisson_log_lpmf: log_rate must not be NaN, got nan");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::categorical_logit_lpmf(3, vector<T>{zero, zero, zero}); },
      "categorical_logit_lpmf: y must be a class index in 0..2, got 3");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::categorical_logit_lpmf(-1, vector<T>{zero, zero}); },
      "categorical_logit_lpmf: y must be a class index in 0..1, got -1");
  expect_domain_error_on_every_path(
      [](auto zero) { using T = decltype(zero); return tapegrad::categorical_logit_lpmf(0, vector<T>{zero, T(NAN)}); },
      "categorical_logit_lpmf: eta[1] must not be NaN, got nan");

  // Through the drivers too (gradient and Hessian of a function given bad parameters).
  expect_ad_throws<std::domain_error>("normal_lpdf", AD_FN(tapegrad::normal_lpdf(x[0], x[1], x[2])),
                                      {{0.0, 0.0, -1.0}, {0.0, 0.0, 0.0}, {NAN, 0.0, 1.0}});
  expect_ad_throws<std::domain_error>("student_t_lpdf", AD_FN(tapegrad::student_t_lpdf(x[0], x[1], x[2], x[3])),
                                      {{0.0, -1.0, 0.0, 1.0}, {0.0, 1.0, 0.0, 0.0}});
}

TEST_CASE("densities: vectorised forms reject invalid input on the Var and HVar tapes, naming the row", "[densities]") {
  Eigen::VectorXd y01(3), y_half(3), y_nan(3), counts_neg(3), counts_frac(3), counts_inf(3);
  y01 << 0, 1, 0;
  y_half << 0, 1, 0.5;
  y_nan << 0, NAN, 1;
  counts_neg << 1, -2, 0;
  counts_frac << 1, 2, 1.5;
  counts_inf << INFINITY, 2, 1;
  Eigen::MatrixXd zeros = Eigen::MatrixXd::Zero(3, 1), zeros2 = Eigen::MatrixXd::Zero(3, 2);
  Eigen::MatrixXd with_nan = zeros;
  with_nan(1, 0) = NAN;
  Eigen::MatrixXd with_nan2 = zeros2;
  with_nan2(2, 1) = NAN;
  Eigen::VectorXi labels_big(3), labels_neg(3), labels_ok(3);
  labels_big << 0, 1, 5;
  labels_neg << 0, -1, 1;
  labels_ok << 0, 1, 1;

  // A MatVar of these values on the active tape of this Real.
  auto mat = [](auto zero, const Eigen::MatrixXd& m) { return tapegrad::BasicMatVar<decltype(zero)>(m); };
  using DE = std::domain_error;
  using IA = std::invalid_argument;

  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::normal_lpdf(y01, mat(z, zeros), -1.0); },
                                  "normal_lpdf: sigma must be positive and finite, got -1");
  expect_throws_on_both_tapes<DE>(
      [&](auto z) { return tapegrad::normal_lpdf(y01, mat(z, zeros), tapegrad::BasicVar<decltype(z)>(0.0)); },
      "normal_lpdf: sigma must be positive and finite, got 0");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::normal_lpdf(y_nan, mat(z, zeros), 1.0); },
                                  "normal_lpdf: y[1] must not be NaN, got nan");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::normal_lpdf(y01, mat(z, with_nan), 1.0); },
                                  "normal_lpdf: mu[1] must not be NaN, got nan");
  expect_throws_on_both_tapes<IA>([&](auto z) { return tapegrad::normal_lpdf(y01, mat(z, zeros2), 1.0); },
                                  "normal_lpdf: mu is 3x2 but y is 3x1 (mu must be 3x1)");

  expect_throws_on_both_tapes<DE>(
      [&](auto z) { return tapegrad::student_t_lpdf(y01, tapegrad::BasicVar<decltype(z)>(0.0), mat(z, zeros), 1.0); },
      "student_t_lpdf: nu must be positive and finite, got 0");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::student_t_lpdf(y01, 3.0, mat(z, zeros), INFINITY); },
                                  "student_t_lpdf: sigma must be positive and finite, got inf");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::student_t_lpdf(y_nan, 3.0, mat(z, zeros), 1.0); },
                                  "student_t_lpdf: y[1] must not be NaN, got nan");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::student_t_lpdf(y01, 3.0, mat(z, with_nan), 1.0); },
                                  "student_t_lpdf: mu[1] must not be NaN, got nan");
  expect_throws_on_both_tapes<IA>(
      [&](auto z) { return tapegrad::student_t_lpdf(y01, 3.0, mat(z, Eigen::MatrixXd::Zero(2, 1)), 1.0); },
      "student_t_lpdf: mu is 2x1 but y is 3x1 (mu must be 3x1)");

  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::bernoulli_logit_lpmf(y_half, mat(z, zeros)); },
                                  "bernoulli_logit_lpmf: y[2] must be 0 or 1, got 0.5");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::bernoulli_logit_lpmf(y_nan, mat(z, zeros)); },
                                  "bernoulli_logit_lpmf: y[1] must be 0 or 1, got nan");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::bernoulli_logit_lpmf(y01, mat(z, with_nan)); },
                                  "bernoulli_logit_lpmf: eta[1] must not be NaN, got nan");
  expect_throws_on_both_tapes<IA>([&](auto z) { return tapegrad::bernoulli_logit_lpmf(y01, mat(z, zeros2)); },
                                  "bernoulli_logit_lpmf: eta is 3x2 but y is 3x1 (eta must be 3x1)");

  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::poisson_log_lpmf(counts_neg, mat(z, zeros)); },
                                  "poisson_log_lpmf: y[1] must be a non-negative integer count, got -2");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::poisson_log_lpmf(counts_frac, mat(z, zeros)); },
                                  "poisson_log_lpmf: y[2] must be a non-negative integer count, got 1.5");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::poisson_log_lpmf(counts_inf, mat(z, zeros)); },
                                  "poisson_log_lpmf: y[0] must be a non-negative integer count, got inf");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::poisson_log_lpmf(y_nan, mat(z, zeros)); },
                                  "poisson_log_lpmf: y[1] must be a non-negative integer count, got nan");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::poisson_log_lpmf(y01, mat(z, with_nan)); },
                                  "poisson_log_lpmf: eta[1] must not be NaN, got nan");

  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::categorical_logit_lpmf(labels_big, mat(z, zeros2)); },
                                  "categorical_logit_lpmf: y[2] must be a class index in 0..1, got 5");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::categorical_logit_lpmf(labels_neg, mat(z, zeros2)); },
                                  "categorical_logit_lpmf: y[1] must be a class index in 0..1, got -1");
  expect_throws_on_both_tapes<DE>([&](auto z) { return tapegrad::categorical_logit_lpmf(labels_ok, mat(z, with_nan2)); },
                                  "categorical_logit_lpmf: eta[2,1] must not be NaN, got nan");
  expect_throws_on_both_tapes<IA>(
      [&](auto z) { return tapegrad::categorical_logit_lpmf(labels_ok, mat(z, Eigen::MatrixXd::Zero(2, 3))); },
      "categorical_logit_lpmf: eta is 2x3 but y is 3x1 (eta must be 3xK)");
}

TEST_CASE("densities: each vectorised form is one node and one statement, whatever N", "[densities]") {
  // A logistic regression: to_matrix, matmul, bernoulli_logit_lpmf; d inputs, the
  // log-likelihood and the mean: the same tape for 100 rows as for 10,000.
  auto record = [](Eigen::Index n) {
    const Problem p = make_problem(n, 5, 2, 5);
    tapegrad::ScopedTape tape;
    std::vector<Var> th;
    for (int i = 0; i < 5; ++i) th.emplace_back(0.1 * i);
    Var lp = tapegrad::bernoulli_logit_lpmf(p.y_binary, tapegrad::matmul(p.X, tapegrad::to_matrix(th, 0, 5, 1)));
    Var nll = -lp / static_cast<double>(n);
    tape.backward(nll.index());
    CHECK(std::isfinite(tape.adjoint(th[0].index())));
    return std::make_pair(tape.n_statements(), tape.n_matrix_nodes());
  };
  const auto small = record(100);
  const auto large = record(10000);
  CHECK(large.second == 3);
  CHECK(large.first == 7);
  CHECK(small == large);

  // Every density: one matrix node and one scalar statement (its output).
  const Problem p = make_problem(10000, 1, 4, 6);
  tapegrad::ScopedTape tape;
  Eigen::MatrixXd mu_value = p.X, logits = make_problem(10000, 4, 1, 7).X;
  tapegrad::MatVar mu(mu_value), eta(logits);
  Var sigma = 1.5, nu = 4.0;
  std::size_t statements = tape.n_statements(), nodes = tape.n_matrix_nodes();
  auto expect_one_more = [&](const Var& lp) {
    CHECK(std::isfinite(lp.value()));
    CHECK(tape.n_statements() == statements + 1);
    CHECK(tape.n_matrix_nodes() == nodes + 1);
    statements = tape.n_statements();
    nodes = tape.n_matrix_nodes();
  };
  expect_one_more(tapegrad::normal_lpdf(p.y_normal, mu, sigma));
  expect_one_more(tapegrad::normal_lpdf(p.y_normal, mu, 2.0));
  expect_one_more(tapegrad::student_t_lpdf(p.y_normal, nu, mu, sigma));
  expect_one_more(tapegrad::bernoulli_logit_lpmf(p.y_binary, mu));
  expect_one_more(tapegrad::poisson_log_lpmf(p.y_count, mu));
  expect_one_more(tapegrad::categorical_logit_lpmf(p.y_class, eta));
}

TEST_CASE("densities: re-recording the vectorised forms allocates nothing", "[densities]") {
  const Problem p = make_problem(600, 1, 3, 17);
  const Eigen::MatrixXd mu_value = p.X, logits = make_problem(600, 3, 1, 18).X;
  tapegrad::ScopedTape tape;
  auto record = [&] {
    tape.clear();
    tapegrad::MatVar mu(mu_value), eta(logits);
    Var sigma = 1.2, nu = 5.0;
    Var total = tapegrad::normal_lpdf(p.y_normal, mu, sigma) + tapegrad::student_t_lpdf(p.y_normal, nu, mu, sigma) +
                tapegrad::bernoulli_logit_lpmf(p.y_binary, mu) + tapegrad::poisson_log_lpmf(p.y_count, mu) +
                tapegrad::categorical_logit_lpmf(p.y_class, eta);
    tape.backward(total.index());
    return tape.adjoint(sigma.index()) + mu.adjoint()(3, 0) + eta.adjoint()(5, 2);
  };
  const double first = record();
  const std::size_t before = tapegrad_test::allocation_count();
  CHECK(record() == first);
  CHECK(tapegrad_test::allocation_count() == before);
}

TEST_CASE("densities: categorical H v over several blocks of the Dual form equals the scalar sum's", "[densities]") {
  // The Dual form copies blocks of 4096 / k rows: 3000 rows of 3 classes are three blocks.
  const Eigen::Index n = 3000, k = 3;
  const Problem p = make_problem(n, 1, k, 31);
  const Eigen::VectorXd x = random_vector(n * k, 2.0, 32);
  auto vec = [&](const auto& th) { return tapegrad::categorical_logit_lpmf(p.y_class, tapegrad::to_matrix(th, 0, n, k)); };
  auto sum = [&](const auto& th) { return categorical_row_sum(p.y_class, th); };
  const Eigen::VectorXd v = random_vector(n * k, 1.0, 33);
  CHECK(rel_diff(tapegrad::hessian_vector(vec, x, v), tapegrad::hessian_vector(sum, x, v)) < 1e-12);
}
