#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "tapegrad/autodiff.hpp"

using tapegrad::Var;

namespace {
constexpr double kPi = 3.14159265358979323846;

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
  return p;
}

void expect_gradient_matches(const tapegrad::CheckReport& report) {
  INFO(report.table());
  CHECK(report.passed);
}
}  // namespace

TEST_CASE("densities: scalar values equal closed forms", "[densities]") {
  CHECK(tapegrad::normal_lpdf(1.0, 0.0, 2.0) == Approx(-std::log(2.0) - 0.5 * std::log(2 * kPi) - 0.125));
  CHECK(tapegrad::poisson_log_lpmf(3, std::log(2.0)) == Approx(3 * std::log(2.0) - 2 - std::log(6.0)));
  CHECK(tapegrad::poisson_log_lpmf(0, -INFINITY) == 0.0);
  CHECK(tapegrad::bernoulli_logit_lpmf(1, 0.0) == Approx(std::log(0.5)));
  // Student-t with nu = 1 is the Cauchy: log(1 / (pi sigma (1 + z^2)))
  CHECK(tapegrad::student_t_lpdf(2.0, 1.0, 0.5, 1.5) == Approx(-std::log(kPi * 1.5 * (1 + 1.0))));
  // categorical: log softmax
  const std::vector<double> eta{0.1, -0.4, 1.2};
  const double lse = std::log(std::exp(0.1) + std::exp(-0.4) + std::exp(1.2));
  CHECK(tapegrad::categorical_logit_lpmf(2, eta) == Approx(1.2 - lse));
}

TEST_CASE("densities: logits of +-1000 give finite values and exact gradients", "[densities]") {
  tapegrad::ScopedTape tape;
  Var big = 1000.0, small = -1000.0;
  Var a = tapegrad::bernoulli_logit_lpmf(1, small);
  Var b = tapegrad::bernoulli_logit_lpmf(0, big);
  Var c = tapegrad::bernoulli_logit_lpmf(1, big);
  CHECK(a.value() == -1000.0);
  CHECK(b.value() == -1000.0);
  CHECK(c.value() == 0.0);
  tape.backward(a.index());
  CHECK(tape.adjoint(small.index()) == 1.0);  // d/d eta log sigmoid(eta) = 1 - sigmoid(eta)
  tape.backward(b.index());
  CHECK(tape.adjoint(big.index()) == -1.0);

  // The vectorised node too.
  Eigen::VectorXd y(4);
  y << 1, 0, 1, 0;
  Eigen::MatrixXd e(4, 1);
  e << -1000, 1000, 1000, -1000;
  tapegrad::MatVar eta(e);
  Var lp = tapegrad::bernoulli_logit_lpmf(y, eta);
  CHECK(lp.value() == -2000.0);
  tape.backward(lp.index());
  CHECK(eta.adjoint()(0, 0) == 1.0);
  CHECK(eta.adjoint()(1, 0) == -1.0);
  // -sigmoid(-1000) is below the smallest double: zero, or a denormal from the SIMD exp.
  CHECK(eta.adjoint()(2, 0) == Approx(0.0).margin(1e-300));
  CHECK(eta.adjoint()(3, 0) == Approx(0.0).margin(1e-300));

  // Categorical at extreme logits.
  Eigen::VectorXi cls(1);
  cls << 1;
  Eigen::MatrixXd logits(1, 3);
  logits << 1000, -1000, 0;
  tapegrad::MatVar l(logits);
  Var lc = tapegrad::categorical_logit_lpmf(cls, l);
  CHECK(lc.value() == -2000.0);
  tape.backward(lc.index());
  CHECK(l.adjoint()(0, 0) == -1.0);
  CHECK(l.adjoint()(0, 1) == 1.0);
}

TEST_CASE("densities: vectorised forms equal sums of scalar forms", "[densities]") {
  const Problem p = make_problem(40, 1, 3, 7);
  tapegrad::ScopedTape tape;
  Eigen::MatrixXd m = p.X * 0.7;
  Eigen::MatrixXd logits = make_problem(40, 3, 3, 8).X;
  tapegrad::MatVar mu(m), eta3(logits);
  double normal = 0, student = 0, bern = 0, pois = 0, cat = 0;
  for (Eigen::Index i = 0; i < 40; ++i) {
    normal += tapegrad::normal_lpdf(p.y_normal[i], m(i, 0), 1.3);
    student += tapegrad::student_t_lpdf(p.y_normal[i], 4.5, m(i, 0), 0.8);
    bern += tapegrad::bernoulli_logit_lpmf(static_cast<int>(p.y_binary[i]), m(i, 0));
    pois += tapegrad::poisson_log_lpmf(static_cast<int>(p.y_count[i]), m(i, 0));
    cat += tapegrad::categorical_logit_lpmf(p.y_class[i], std::vector<double>{logits(i, 0), logits(i, 1), logits(i, 2)});
  }
  CHECK(tapegrad::normal_lpdf(p.y_normal, mu, 1.3).value() == Approx(normal).epsilon(1e-13));
  CHECK(tapegrad::student_t_lpdf(p.y_normal, 4.5, mu, 0.8).value() == Approx(student).epsilon(1e-13));
  CHECK(tapegrad::bernoulli_logit_lpmf(p.y_binary, mu).value() == Approx(bern).epsilon(1e-13));
  CHECK(tapegrad::poisson_log_lpmf(p.y_count, mu).value() == Approx(pois).epsilon(1e-13));
  CHECK(tapegrad::categorical_logit_lpmf(p.y_class, eta3).value() == Approx(cat).epsilon(1e-13));
}

TEST_CASE("densities: scalar forms' gradients match finite differences", "[densities]") {
  const Eigen::Vector4d points[] = {{0.3, -0.2, 0.8, 2.5}, {-1.5, 1.0, 2.0, 0.7}, {4.0, 0.1, 0.3, 30.0}};
  for (const Eigen::Vector4d& x : points) {
    CAPTURE(x.transpose());
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) { return tapegrad::normal_lpdf(t[0], t[1], t[2]); }, x.head(3)));
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) { return tapegrad::student_t_lpdf(t[0], t[3], t[1], t[2]); }, x));
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) { return tapegrad::bernoulli_logit_lpmf(1, t[0] * t[1]); }, x.head(2)));
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) { return tapegrad::bernoulli_logit_lpmf(0, t[0] * t[1]); }, x.head(2)));
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) { return tapegrad::poisson_log_lpmf(4, t[0]); }, x.head(1)));
    expect_gradient_matches(tapegrad::check_gradient([](const auto& t) {
      using T = std::decay_t<decltype(t[0])>;
      return tapegrad::categorical_logit_lpmf(1, std::vector<T>{t[0], t[1], t[2]});
    }, x.head(3)));
  }
}

TEST_CASE("densities: vectorised forms' gradients and Hessians match finite differences", "[densities]") {
  const Problem p = make_problem(30, 2, 3, 11);
  const Eigen::MatrixXd& X = p.X;
  auto linear = [&X](const auto& th) { return tapegrad::matmul(X, tapegrad::to_matrix(th, 0, 2, 1)); };
  auto normal = [&](const auto& th) { return tapegrad::normal_lpdf(p.y_normal, linear(th), exp(th[2])); };
  auto student = [&](const auto& th) { return tapegrad::student_t_lpdf(p.y_normal, exp(th[3]), linear(th), exp(th[2])); };
  auto bern = [&](const auto& th) { return tapegrad::bernoulli_logit_lpmf(p.y_binary, linear(th)); };
  auto pois = [&](const auto& th) { return tapegrad::poisson_log_lpmf(p.y_count, linear(th)); };
  auto cat = [&](const auto& th) { return tapegrad::categorical_logit_lpmf(p.y_class, tapegrad::matmul(X, tapegrad::to_matrix(th, 0, 2, 3))); };
  Eigen::VectorXd x(6);
  x << 0.4, -0.3, 0.2, 1.1, -0.5, 0.25;
  expect_gradient_matches(tapegrad::check_gradient_on_tape(normal, x.head(3)));
  expect_gradient_matches(tapegrad::check_gradient_on_tape(student, x.head(4)));
  expect_gradient_matches(tapegrad::check_gradient_on_tape(bern, x.head(2)));
  expect_gradient_matches(tapegrad::check_gradient_on_tape(pois, x.head(2)));
  expect_gradient_matches(tapegrad::check_gradient_on_tape(cat, x));
  // Second order through the Dual path of every node.
  tapegrad::CheckOptions loose;
  loose.rel_tol = 1e-6;  // finite differences of an exact gradient: truncation O(h^4) with h = 1e-3
  expect_gradient_matches(tapegrad::check_hessian(normal, x.head(3), loose));
  expect_gradient_matches(tapegrad::check_hessian(student, x.head(4), loose));
  expect_gradient_matches(tapegrad::check_hessian(pois, x.head(2), loose));
  expect_gradient_matches(tapegrad::check_hessian(cat, x, loose));
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

TEST_CASE("densities: invalid parameters throw domain_error naming function, argument and value", "[densities]") {
  // double path
  CHECK_THROWS_MATCHES(tapegrad::normal_lpdf(0.0, 0.0, -1.0), std::domain_error,
                       Catch::Message("normal_lpdf: sigma must be positive and finite, got -1"));
  CHECK_THROWS_WITH(tapegrad::normal_lpdf(0.0, NAN, 1.0), Catch::Contains("normal_lpdf: mu must not be NaN"));
  CHECK_THROWS_WITH(tapegrad::student_t_lpdf(0.0, 0.0, 0.0, 1.0), Catch::Contains("student_t_lpdf: nu") && Catch::Contains("got 0"));
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_lpmf(2, 0.0), Catch::Contains("bernoulli_logit_lpmf: y must be 0 or 1, got 2"));
  CHECK_THROWS_WITH(tapegrad::poisson_log_lpmf(-1, 0.0), Catch::Contains("poisson_log_lpmf: y") && Catch::Contains("-1"));
  CHECK_THROWS_WITH(tapegrad::categorical_logit_lpmf(3, std::vector<double>{0, 0, 0}), Catch::Contains("categorical_logit_lpmf: y") && Catch::Contains("got 3"));
  // Var path
  tapegrad::ScopedTape tape;
  Var zero = 0.0, minus_one = -1.0, nan = NAN;
  CHECK_THROWS_MATCHES(tapegrad::normal_lpdf(0.0, zero, minus_one), std::domain_error,
                       Catch::Message("normal_lpdf: sigma must be positive and finite, got -1"));
  CHECK_THROWS_AS(tapegrad::student_t_lpdf(0.0, minus_one, zero, Var(1.0)), std::domain_error);
  CHECK_THROWS_AS(tapegrad::bernoulli_logit_lpmf(1, nan), std::domain_error);
  // vectorised: the row is named
  Eigen::VectorXd y(3);
  y << 0, 1, 0.5;
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(3, 1);
  tapegrad::MatVar eta(e);
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_lpmf(y, eta), Catch::Contains("y[2] must be 0 or 1, got 0.5"));
  Eigen::VectorXd counts(3);
  counts << 1, -2, 0;
  CHECK_THROWS_WITH(tapegrad::poisson_log_lpmf(counts, eta), Catch::Contains("y[1]") && Catch::Contains("-2"));
  Eigen::VectorXi labels(3);
  labels << 0, 1, 5;
  Eigen::MatrixXd e2 = Eigen::MatrixXd::Zero(3, 2);
  tapegrad::MatVar eta2(e2);
  CHECK_THROWS_WITH(tapegrad::categorical_logit_lpmf(labels, eta2), Catch::Contains("y[2] must be a class index in 0..1, got 5"));
  Eigen::MatrixXd bad = Eigen::MatrixXd::Zero(3, 1);
  bad(1, 0) = NAN;
  tapegrad::MatVar eta_nan(bad);
  Eigen::VectorXd y01(3);
  y01 << 0, 1, 0;
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_lpmf(y01, eta_nan), Catch::Contains("eta[1] must not be NaN"));
  CHECK_THROWS_WITH(tapegrad::normal_lpdf(y01, eta, 0.0), Catch::Contains("sigma must be positive"));
  CHECK_THROWS_WITH(tapegrad::normal_lpdf(y01, eta2, 1.0), Catch::Contains("3x2"));
}

TEST_CASE("densities: a logistic regression over 10,000 rows is O(1) tape entries", "[densities]") {
  const Problem p = make_problem(10000, 5, 2, 5);
  tapegrad::ScopedTape tape;
  std::vector<Var> th;
  for (int i = 0; i < 5; ++i) th.emplace_back(0.1 * i);
  Var lp = tapegrad::bernoulli_logit_lpmf(p.y_binary, tapegrad::matmul(p.X, tapegrad::to_matrix(th, 0, 5, 1)));
  Var nll = -lp / 10000.0;
  CHECK(tape.n_matrix_nodes() == 3);  // to_matrix, matmul, bernoulli_logit_lpmf
  CHECK(tape.n_statements() == 7);    // 5 inputs, the log-likelihood, the mean
  tape.backward(nll.index());
  CHECK(std::isfinite(tape.adjoint(th[0].index())));
}
