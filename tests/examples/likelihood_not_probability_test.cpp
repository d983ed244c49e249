// Example 1 (examples/likelihood_not_probability): for fixed data, L(mu, sigma) peaks at the sample
// mean and sigma_MLE = sqrt(RSS/n), and integrates over a parameter to a number that is not 1
// (and scales with the units of y), while the density integrates to 1 over y. Expected values are
// computed here from the data directly.
#include <catch2/catch.hpp>
#include <cmath>

#include "likelihood_not_probability/likelihood_not_probability.hpp"

namespace ex = examples::likelihood_not_probability;

TEST_CASE("likelihood_not_probability: L(mu) and L(sigma) peak at the sample mean and sqrt(RSS/n)", "[examples]") {
  const std::vector<double> y = ex::make_data();
  REQUIRE(y.size() == 20);
  double sum = 0;
  for (double v : y) sum += v;
  const double ybar = sum / 20;
  double rss = 0;
  for (double v : y) rss += (v - ybar) * (v - ybar);
  const double sigma_hat = std::sqrt(rss / 20);
  CHECK(ex::mean(y) == Approx(ybar).epsilon(1e-15));
  CHECK(ex::sigma_mle(y) == Approx(sigma_hat).epsilon(1e-15));

  // The tape's gradient vanishes at the MLE (to rounding of a sum of 20 terms) and not beside it.
  const Eigen::VectorXd g = ex::log_likelihood_gradient(y, ybar, sigma_hat);
  CHECK(std::abs(g[0]) < 1e-12);
  CHECK(std::abs(g[1]) < 1e-12);
  const Eigen::VectorXd off = ex::log_likelihood_gradient(y, ybar + 0.5, sigma_hat);
  CHECK(off[0] == Approx(20 * (ybar - (ybar + 0.5)) / (sigma_hat * sigma_hat)).epsilon(1e-12));

  // A grid of spacing 0.005 puts its argmax within half a spacing of the closed forms.
  const ex::Curve in_mu = ex::likelihood_in_mu(y, sigma_hat, ex::linspace(ybar - 3, ybar + 3, 1201));
  CHECK(std::abs(in_mu.x[ex::argmax(in_mu.f)] - ybar) <= 0.0025 + 1e-12);
  const ex::Curve in_sigma = ex::likelihood_in_sigma(y, ybar, ex::linspace(0.5, 6.5, 1201));
  CHECK(std::abs(in_sigma.x[ex::argmax(in_sigma.f)] - sigma_hat) <= 0.0025 + 1e-12);
}

TEST_CASE("likelihood_not_probability: the likelihood does not integrate to 1 over its parameter", "[examples]") {
  const std::vector<double> y = ex::make_data();
  const double ybar = ex::mean(y), s = ex::sigma_mle(y);
  // Trapezoid over +-8 standard errors of mu (sigma/sqrt(n)); 4001 points: error far below 1e-6.
  const double se = s / std::sqrt(20.0);
  const ex::Curve in_mu = ex::likelihood_in_mu(y, s, ex::linspace(ybar - 8 * se, ybar + 8 * se, 4001));
  const double integral_mu = ex::trapezoid(in_mu.x, in_mu.f);
  CHECK(integral_mu == Approx(ex::likelihood_integral_over_mu(y, s)).epsilon(1e-6));
  CHECK(integral_mu < 1e-10);  // nowhere near 1

  const ex::Curve in_sigma = ex::likelihood_in_sigma(y, ybar, ex::linspace(0.2, 40.0, 40001));
  const double integral_sigma = ex::trapezoid(in_sigma.x, in_sigma.f);
  CHECK(integral_sigma == Approx(ex::likelihood_integral_over_sigma(y, ybar)).epsilon(1e-5));
  CHECK(integral_sigma < 1e-10);

  // The same data in units 10x larger (y / 10): the integral over mu grows by 10^(n-1).
  const std::vector<double> y10 = ex::rescaled(y, 10);
  const double ratio = ex::likelihood_integral_over_mu(y10, s / 10) / ex::likelihood_integral_over_mu(y, s);
  CHECK(ratio == Approx(1e19).epsilon(1e-10));
}

TEST_CASE("likelihood_not_probability: the density integrates to 1 over y for any parameters", "[examples]") {
  for (const auto& [mu, sigma] : {std::pair{0.785, 1.79}, std::pair{-3.0, 0.7}, std::pair{10.0, 25.0}}) {
    const ex::Curve c = ex::density_in_y(mu, sigma, ex::linspace(mu - 12 * sigma, mu + 12 * sigma, 20001));
    CHECK(ex::trapezoid(c.x, c.f) == Approx(1.0).epsilon(1e-9));
  }
}
