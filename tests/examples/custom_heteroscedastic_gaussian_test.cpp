// Example 7c (examples/custom_heteroscedastic_gaussian): a Gaussian whose log sigma is a second
// linear function of x, written by hand. At the fit the score is zero, the Hessian matches finite
// differences of the gradient, and the seeded simulation's truth lies within 3 standard errors;
// the constant-sigma model fits the same data clearly worse.
#include <catch2/catch.hpp>
#include <Eigen/Dense>
#include <cmath>

#include "custom_heteroscedastic_gaussian/custom_heteroscedastic_gaussian.hpp"

namespace ex = examples::custom_heteroscedastic_gaussian;

TEST_CASE("custom_heteroscedastic_gaussian: the fit recovers mean and noise slopes with standard errors",
          "[examples]") {
  const ex::Data d = ex::simulate();
  const tapegrad::models::IidFit fit = ex::fit(d, ex::naive_start(d));
  REQUIRE(fit.succeeded());
  for (Eigen::Index j = 0; j < 4; ++j) {
    INFO("parameter " << j);
    CHECK(std::isfinite(fit.std_error[j]));
    CHECK(std::abs(fit.estimate[j] - ex::true_theta()[j]) < 3 * fit.std_error[j]);
  }
  // The log-likelihood written out by hand at the estimate.
  const Eigen::VectorXd& t = fit.estimate;
  double ll = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double sigma = std::exp(t[2] + t[3] * d.x[i]);
    const double r = d.y[i] - (t[0] + t[1] * d.x[i]);
    ll += -std::log(sigma) - 0.5 * std::log(2 * M_PI) - r * r / (2 * sigma * sigma);
  }
  CHECK(fit.log_likelihood == Approx(ll).epsilon(1e-12));
  // d = 0 is the homoscedastic model (nested): its best fit is the mean line with sigma^2 = RSS/n.
  const Eigen::Index n = static_cast<Eigen::Index>(d.x.size());
  Eigen::MatrixXd X(n, 2);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    X(i, 0) = 1;
    X(i, 1) = d.x[static_cast<std::size_t>(i)];
    y[i] = d.y[static_cast<std::size_t>(i)];
  }
  const Eigen::VectorXd beta = X.colPivHouseholderQr().solve(y);
  const double rss = (y - X * beta).squaredNorm();
  const double ll_constant = -0.5 * static_cast<double>(n) * (std::log(2 * M_PI * rss / static_cast<double>(n)) + 1);
  CHECK(fit.log_likelihood > ll_constant + 100);  // a likelihood-ratio statistic of over 200 on 1 df
}

TEST_CASE("custom_heteroscedastic_gaussian: gradient and Hessian pass the finite-difference checks", "[examples]") {
  const ex::Data d = ex::simulate(300);
  auto mean_nll = [&](const auto& theta) { return -ex::log_likelihood(theta, d) / 300.0; };
  const Eigen::VectorXd start = ex::naive_start(d);
  Eigen::VectorXd elsewhere(4);
  elsewhere << 0.3, -1.0, 0.4, -0.8;
  for (const Eigen::VectorXd& at : {start, elsewhere}) {
    CHECK(tapegrad::check_gradient(mean_nll, at).passed);
    CHECK(tapegrad::check_hessian(mean_nll, at).passed);
  }
  // The score vanishes at the fit (mean scale, tolerance 1e-10).
  const tapegrad::models::IidFit fit = ex::fit(d, start);
  REQUIRE(fit.succeeded());
  CHECK(tapegrad::gradient(mean_nll, fit.estimate).gradient.cwiseAbs().maxCoeff() < 1e-10);
}
