// Example 7a (examples/custom_poisson_regression): a Poisson log-likelihood written by hand and
// fitted through fit_iid. The estimate solves the score equations X^T (y - mu) = 0, the Hessian is
// the closed form X^T diag(mu) X, and the standard errors are sqrt(diag((X^T diag(mu) X)^-1)):
// all written out here with Eigen, not through the tape.
#include <catch2/catch.hpp>
#include <Eigen/Dense>
#include <cmath>

#include "custom_poisson_regression/custom_poisson_regression.hpp"

namespace ex = examples::custom_poisson_regression;

TEST_CASE("custom_poisson_regression: the fit solves the score equations with closed-form standard errors",
          "[examples]") {
  const ex::Data d = ex::simulate();
  const auto n = static_cast<Eigen::Index>(d.x.size());
  REQUIRE(n == 400);
  const tapegrad::models::IidFit fit = ex::fit(d, Eigen::VectorXd::Zero(2));
  REQUIRE(fit.succeeded());
  const double a = fit.estimate[0], b = fit.estimate[1];

  Eigen::Vector2d score = Eigen::Vector2d::Zero();
  Eigen::Matrix2d info = Eigen::Matrix2d::Zero();
  double ll = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double x = d.x[static_cast<std::size_t>(i)], y = d.y[static_cast<std::size_t>(i)];
    const double mu = std::exp(a + b * x);
    const Eigen::Vector2d xi(1.0, x);
    score += (y - mu) * xi;
    info += mu * xi * xi.transpose();
    ll += y * std::log(mu) - mu - std::lgamma(y + 1);
  }
  // Converged to max |grad| < 1e-10 on the mean scale: the total score is below n * 1e-10.
  CHECK(score.cwiseAbs().maxCoeff() < 400 * 1e-10);
  CHECK(fit.hessian.isApprox(info, 1e-12));
  const Eigen::Vector2d se = info.inverse().diagonal().cwiseSqrt();
  CHECK(fit.std_error[0] == Approx(se[0]).epsilon(1e-10));
  CHECK(fit.std_error[1] == Approx(se[1]).epsilon(1e-10));
  CHECK(fit.log_likelihood == Approx(ll).epsilon(1e-13));
  CHECK(fit.aic == Approx(4 - 2 * ll).epsilon(1e-13));
  CHECK(fit.bic == Approx(2 * std::log(400.0) - 2 * ll).epsilon(1e-13));
  // Simulated from a = 0.5, b = 0.8 (seeded): the estimates land within 3 standard errors.
  CHECK(std::abs(a - 0.5) < 3 * se[0]);
  CHECK(std::abs(b - 0.8) < 3 * se[1]);
}

TEST_CASE("custom_poisson_regression: the hand-written gradient passes the finite-difference check", "[examples]") {
  const ex::Data d = ex::simulate();
  auto mean_nll = [&](const auto& theta) { return -ex::log_likelihood(theta, d) / 400.0; };
  for (const Eigen::Vector2d& at : {Eigen::Vector2d(0, 0), Eigen::Vector2d(1.2, -0.7)}) {
    CHECK(tapegrad::check_gradient(mean_nll, at).passed);
    CHECK(tapegrad::check_hessian(mean_nll, at).passed);
  }
}
