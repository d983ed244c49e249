// Gaussian maximum likelihood is least squares: with sigma fixed, the negative log-likelihood's
// gradient is the MSE gradient times m / (2 sigma^2), so both have the same minimiser (the
// normal-equations solution); with sigma learned, the MLE of sigma^2 is RSS / n, not RSS / (n - p).
//
//   ./gaussian_mle_least_squares [OUTPUT_DIR]   (default runs/gaussian_mle_least_squares; exit 1 on a failed claim)

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <tapegrad/models/plot.hpp>

#include "gaussian_mle_least_squares/gaussian_mle_least_squares.hpp"

namespace ex = examples::gaussian_mle_least_squares;

int main(int argc, char** argv) {
  const std::string out_dir = argc > 1 ? argv[1] : "runs/gaussian_mle_least_squares";
  const ex::Data d = ex::make_data(50, 2024);
  const double n = static_cast<double>(d.X.rows());
  const double p = static_cast<double>(d.X.cols());
  bool ok = true;
  std::printf("Data: n = %d rows, y = 1 + 2 x1 - 0.5 x2 + 0.8 eps, x1, x2, eps ~ N(0, 1), seed 2024\n", int(n));
  std::printf("Parameters: b0 (intercept), b1, b2: p = %d\n\n", int(p));

  // 1. grad NLL = m / (2 sigma^2) grad MSE, at random (theta, sigma).
  std::printf("Gradients from the engine at 5 random points (theta ~ N(0, 3^2), seed 11):\n");
  std::printf("%-30s %6s %-36s %-36s %9s\n", "theta", "sigma", "grad NLL(theta; sigma)",
              "m/(2 sigma^2) * grad MSE(theta)", "rel err");
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0.0, 3.0);
  const double sigmas[] = {0.3, 0.8, 1.0, 2.0, 5.0};
  double worst = 0;
  for (double sigma : sigmas) {
    Eigen::VectorXd theta(3);
    for (int j = 0; j < 3; ++j) theta[j] = normal(rng);
    const auto g_nll = tapegrad::gradient([&](const auto& th) { return ex::nll_fixed_sigma(th, d, sigma); }, theta);
    const auto g_mse = tapegrad::gradient([&](const auto& th) { return ex::mse(th, d); }, theta);
    const Eigen::VectorXd scaled = ex::gradient_scale(d, sigma) * g_mse.gradient;
    const double rel = (g_nll.gradient - scaled).cwiseAbs().maxCoeff() / g_nll.gradient.cwiseAbs().maxCoeff();
    worst = std::max(worst, rel);
    char a[64], b[64], c[64];
    std::snprintf(a, sizeof a, "(%.3f, %.3f, %.3f)", theta[0], theta[1], theta[2]);
    std::snprintf(b, sizeof b, "(%.5g, %.5g, %.5g)", g_nll.gradient[0], g_nll.gradient[1], g_nll.gradient[2]);
    std::snprintf(c, sizeof c, "(%.5g, %.5g, %.5g)", scaled[0], scaled[1], scaled[2]);
    std::printf("%-30s %6.1f %-36s %-36s %9.1e\n", a, sigma, b, c, rel);
  }
  std::printf("worst relative error (max-abs norm): %.1e\n\n", worst);
  ok = ok && worst < 1e-10;

  // 2. The same estimate from every loss, and from the normal equations X^T X b = X^T y.
  const double fixed_sigma = 2.0;  // deliberately not the true 0.8: the estimate does not depend on it
  const ex::Fits fits = ex::fit_all(d, fixed_sigma);
  const Eigen::VectorXd beta_ls = (d.X.transpose() * d.X).ldlt().solve(d.X.transpose() * d.y);
  std::printf("Estimates (L-BFGS from 0 until max |gradient| < 1e-10):\n");
  std::printf("%-10s %8s %16s %16s %16s %16s\n", "parameter", "true", "min MSE", "min NLL sigma=2",
              "min NLL learned", "normal eqns");
  const char* names[] = {"b0", "b1", "b2"};
  for (int j = 0; j < 3; ++j)
    std::printf("%-10s %8.3f %16.12f %16.12f %16.12f %16.12f\n", names[j], ex::true_coefficients()[j], fits.mse.x[j],
                fits.nll_fixed.x[j], fits.nll_learned.x[j], beta_ls[j]);
  std::printf("%-10s %8s %16s %16s %16.12f %16s\n", "sigma", "0.800", "-", "(2, fixed)",
              std::exp(fits.nll_learned.x[3]), "-");
  std::printf("%-10s %8s %16d %16d %16d %16s\n", "iterations", "", fits.mse.iterations, fits.nll_fixed.iterations,
              fits.nll_learned.iterations, "");
  double gap = 0;
  for (const auto* r : {&fits.mse, &fits.nll_fixed, &fits.nll_learned})
    gap = std::max(gap, (r->x.head(3) - beta_ls).cwiseAbs().maxCoeff());
  std::printf("max |estimate - normal equations| = %.1e\n\n", gap);
  ok = ok && gap < 1e-8;
  for (const auto* r : {&fits.mse, &fits.nll_fixed, &fits.nll_learned})
    ok = ok && r->status == tapegrad::models::OptimizerStatus::converged;

  // 3. sigma^2 MLE = RSS / n.
  const double rss = ex::rss_at(beta_ls, d);
  const double sigma2_mle = std::exp(2 * fits.nll_learned.x[3]);
  std::printf("sigma^2 with sigma learned (RSS = %.10f at the least-squares estimate):\n", rss);
  std::printf("  MLE sigma^2 = exp(2 log sigma_hat) = %.10f\n", sigma2_mle);
  std::printf("  RSS / n                            = %.10f   (relative gap %.1e)\n", rss / n,
              std::abs(sigma2_mle - rss / n) / (rss / n));
  std::printf("  RSS / (n - p)                      = %.10f   (the unbiased estimate; n/(n-p) = %.4f larger)\n\n",
              rss / (n - p), n / (n - p));
  ok = ok && std::abs(sigma2_mle - rss / n) < 1e-8 * (rss / n);

  // 4. Plot: the profile NLL(beta_hat, sigma^2) has its minimum at RSS/n, left of RSS/(n-p).
  tapegrad::models::Series profile{"NLL(beta_hat, sigma^2)", {}, {}};
  std::vector<double> theta = {beta_ls[0], beta_ls[1], beta_ls[2], 0.0};
  double lo = 1e300, hi = -1e300;
  for (int i = 0; i <= 100; ++i) {
    const double s2 = 0.25 + 0.01 * i;
    theta[3] = 0.5 * std::log(s2);
    const double v = ex::nll_learned_sigma(theta, d);
    profile.x.push_back(s2);
    profile.y.push_back(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  tapegrad::models::Series at_n{"RSS/n (the MLE)", {rss / n, rss / n}, {lo - 1, hi}};
  tapegrad::models::Series at_n_p{"RSS/(n-p) (unbiased)", {rss / (n - p), rss / (n - p)}, {lo - 1, hi}};
  tapegrad::models::Figure figure;
  figure.title = "Gaussian NLL profiled over sigma^2 at the least-squares coefficients (n = 50, p = 3)";
  figure.panels.push_back({"", "sigma^2", "negative log-likelihood", false, {profile, at_n, at_n_p}});
  const auto plot = tapegrad::models::plot_svg(figure, out_dir + "/sigma2_profile");
  std::printf("plot: %s\n", plot.svg.empty() ? ("(none: " + plot.note + ")").c_str() : plot.svg.c_str());
  std::printf("data: %s\n", plot.data.c_str());

  std::printf("\nclaims %s\n", ok ? "hold" : "FAILED");
  return ok ? 0 : 1;
}
