// Example 4 (examples/gaussian_mle_least_squares): with sigma fixed, grad NLL = m / (2 sigma^2)
// grad MSE; MSE and NLL minimised give the least-squares estimate; with sigma learned, the MLE
// sigma^2 is RSS / n. Expected values come from closed forms computed here with Eigen.
#include <catch2/catch.hpp>
#include <Eigen/Cholesky>
#include <cmath>
#include <random>

#include "gaussian_mle_least_squares/gaussian_mle_least_squares.hpp"

namespace ex = examples::gaussian_mle_least_squares;

namespace {

// The normal equations X^T X b = X^T y.
Eigen::VectorXd least_squares(const ex::Data& d) {
  return (d.X.transpose() * d.X).ldlt().solve(d.X.transpose() * d.y);
}

}  // namespace

TEST_CASE("gaussian_mle_least_squares: the data set is 50 rows of intercept and two features", "[examples]") {
  const ex::Data d = ex::make_data();
  REQUIRE(d.X.rows() == 50);
  REQUIRE(d.X.cols() == 3);
  CHECK(d.X.col(0).isOnes());
  const ex::Data again = ex::make_data();
  CHECK(again.X == d.X);  // fixed seed
  CHECK(again.y == d.y);
}

TEST_CASE("gaussian_mle_least_squares: NLL with sigma fixed is the sum of normal log-densities", "[examples]") {
  const ex::Data d = ex::make_data();
  const std::vector<double> theta = {0.3, -1.2, 2.5};
  const double sigma = 1.7;
  double expected = 0;  // -sum log N(y_i | x_i theta, sigma^2)
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    const double r = d.y[i] - (theta[0] + theta[1] * d.X(i, 1) + theta[2] * d.X(i, 2));
    expected += 0.5 * std::log(2 * M_PI * sigma * sigma) + r * r / (2 * sigma * sigma);
  }
  CHECK(ex::nll_fixed_sigma(theta, d, sigma) == Approx(expected).epsilon(1e-13));
  const std::vector<double> theta4 = {0.3, -1.2, 2.5, std::log(sigma)};
  CHECK(ex::nll_learned_sigma(theta4, d) == Approx(expected).epsilon(1e-13));
}

TEST_CASE("gaussian_mle_least_squares: grad NLL = m / (2 sigma^2) grad MSE at random points", "[examples]") {
  const ex::Data d = ex::make_data();
  const double m = 50;
  std::mt19937_64 rng(99);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::uniform_real_distribution<double> uniform_sigma(0.2, 5.0);
  for (int point = 0; point < 8; ++point) {
    Eigen::VectorXd theta(3);
    for (int j = 0; j < 3; ++j) theta[j] = normal(rng);
    const double sigma = uniform_sigma(rng);
    const auto g_nll = tapegrad::gradient([&](const auto& th) { return ex::nll_fixed_sigma(th, d, sigma); }, theta);
    const auto g_mse = tapegrad::gradient([&](const auto& th) { return ex::mse(th, d); }, theta);
    const Eigen::VectorXd scaled = (m / (2 * sigma * sigma)) * g_mse.gradient;
    // Relative to the gradient's size (max-abs norm): 1e-10.
    const double scale = g_nll.gradient.cwiseAbs().maxCoeff();
    CHECK((g_nll.gradient - scaled).cwiseAbs().maxCoeff() <= 1e-10 * scale);
    CHECK(ex::gradient_scale(d, sigma) == Approx(m / (2 * sigma * sigma)).epsilon(1e-15));
    // Both against the closed form: grad MSE = (2/m) X^T (X theta - y).
    const Eigen::VectorXd closed_mse = (2 / m) * d.X.transpose() * (d.X * theta - d.y);
    CHECK((g_mse.gradient - closed_mse).cwiseAbs().maxCoeff() <= 1e-10 * closed_mse.cwiseAbs().maxCoeff());
    const Eigen::VectorXd closed_nll = d.X.transpose() * (d.X * theta - d.y) / (sigma * sigma);
    CHECK((g_nll.gradient - closed_nll).cwiseAbs().maxCoeff() <= 1e-10 * scale);
  }
}

TEST_CASE("gaussian_mle_least_squares: MSE and NLL minimised give the least-squares estimate", "[examples]") {
  const ex::Data d = ex::make_data();
  const Eigen::VectorXd beta = least_squares(d);
  for (double sigma : {0.5, 2.0}) {
    const ex::Fits fits = ex::fit_all(d, sigma);
    for (const auto* r : {&fits.mse, &fits.nll_fixed, &fits.nll_learned}) {
      CHECK(r->status == tapegrad::models::OptimizerStatus::converged);
      // max |gradient| < 1e-10 and a Hessian with eigenvalues of order 1..50: 1e-8 is ample.
      for (Eigen::Index j = 0; j < 3; ++j) CHECK(r->x[j] == Approx(beta[j]).margin(1e-8).epsilon(0));
    }
  }
}

TEST_CASE("gaussian_mle_least_squares: with sigma learned, the MLE of sigma^2 is RSS/n, not RSS/(n-p)", "[examples]") {
  const ex::Data d = ex::make_data();
  const double n = 50, p = 3;
  const Eigen::VectorXd beta = least_squares(d);
  const double rss = (d.X * beta - d.y).squaredNorm();
  const ex::Fits fits = ex::fit_all(d, 1.0);
  REQUIRE(fits.nll_learned.status == tapegrad::models::OptimizerStatus::converged);
  const double sigma2 = std::exp(2 * fits.nll_learned.x[3]);
  CHECK(sigma2 == Approx(rss / n).epsilon(1e-8));
  // RSS/(n-p) is n/(n-p) = 1.064 times larger: far outside the tolerance above.
  CHECK(sigma2 / (rss / (n - p)) == Approx((n - p) / n).epsilon(1e-8));
  CHECK(std::abs(sigma2 - rss / (n - p)) > 0.05 * sigma2);
}
