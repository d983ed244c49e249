// Likelihood is not probability. Twenty fixed Gaussian draws; the likelihood of mu and of sigma
// on grids: where it peaks (the MLE, where the tape's gradient is zero) and what it integrates
// to (not 1), against the density of y for fixed parameters (which integrates to 1).
//
//   build/examples/likelihood_not_probability [OUTPUT_DIR]   (default runs/likelihood_not_probability)

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <tapegrad/models/plot.hpp>

#include "likelihood_not_probability/likelihood_not_probability.hpp"

using namespace examples::likelihood_not_probability;
namespace plot = tapegrad::models;

namespace {

// The points of a curve with x in [lo, hi]: the plotted window of a wide integration grid.
plot::Series window(const std::string& title, const Curve& c, double lo, double hi) {
  plot::Series s{title, {}, {}};
  for (std::size_t i = 0; i < c.x.size(); ++i) {
    if (c.x[i] < lo || c.x[i] > hi) continue;
    s.x.push_back(c.x[i]);
    s.y.push_back(c.f[i]);
  }
  return s;
}

plot::Series vertical(const std::string& title, double x, double top) { return {title, {x, x}, {0.0, top}}; }

}  // namespace

int main(int argc, char** argv) {
  const std::string out = argc > 1 ? argv[1] : "runs/likelihood_not_probability";
  const std::vector<double> y = make_data();  // n = 20, seed 1, N(1, 2)
  const double n = static_cast<double>(y.size());
  const double ybar = mean(y);
  const double s_hat = sigma_mle(y);

  // Wide grids, fixed before looking at the data; spacing 0.005.
  const std::vector<double> mu_grid = linspace(-9, 11, 4001);
  const std::vector<double> sigma_grid = linspace(0.01, 20, 4001);
  const Curve l_mu = likelihood_in_mu(y, s_hat, mu_grid);
  const Curve l_sigma = likelihood_in_sigma(y, ybar, sigma_grid);
  const double mu_peak = l_mu.x[argmax(l_mu.f)];
  const double sigma_peak = l_sigma.x[argmax(l_sigma.f)];
  const Eigen::VectorXd g_hat = log_likelihood_gradient(y, ybar, s_hat);
  const Eigen::VectorXd g_off = log_likelihood_gradient(y, ybar + 0.5, s_hat);

  std::printf("Likelihood is not probability: n = %.0f draws from N(1, 2^2), seed 1, held fixed.\n", n);
  std::printf("  sample mean ybar = %.6f   sigma_MLE = sqrt(RSS/n) = %.6f   log L(ybar, sigma_MLE) = %.6f\n\n", ybar,
              s_hat, log_likelihood_at(y, ybar, s_hat));

  std::printf("1. Where the likelihood peaks (grids of spacing 0.005)\n");
  std::printf("   %-26s %12s %12s %16s\n", "", "grid argmax", "closed form", "tape gradient");
  std::printf("   %-26s %12.4f %12.6f %16.3e\n", "L(mu), sigma = sigma_MLE", mu_peak, ybar, g_hat[0]);
  std::printf("   %-26s %12.4f %12.6f %16.3e\n", "L(sigma), mu = ybar", sigma_peak, s_hat, g_hat[1]);
  std::printf("   off the peak, at mu = ybar + 0.5: d/dmu log L = %.6f (n (ybar - mu) / sigma^2 = %.6f)\n\n",
              g_off[0], n * (-0.5) / (s_hat * s_hat));

  // The same data in units ten times larger (y / 10): the likelihood's integral scales by 10^(n-1).
  const std::vector<double> y10 = rescaled(y, 10);
  const Curve l_mu10 = likelihood_in_mu(y10, s_hat / 10, linspace(-0.9, 1.1, 4001));
  const Curve dens = density_in_y(ybar, s_hat, linspace(ybar - 15 * s_hat, ybar + 15 * s_hat, 4001));
  const Curve dens10 = density_in_y(ybar / 10, s_hat / 10, linspace((ybar - 15 * s_hat) / 10, (ybar + 15 * s_hat) / 10, 4001));
  const Curve dens_other = density_in_y(-3, 0.7, linspace(-3 - 15 * 0.7, -3 + 15 * 0.7, 4001));

  std::printf("2. What it integrates to (trapezoid rule)\n");
  std::printf("   %-50s %14s %14s\n", "", "trapezoid", "closed form");
  std::printf("   %-50s %14.6e %14.6e\n", "integral L(mu) dmu, sigma = sigma_MLE", trapezoid(l_mu.x, l_mu.f),
              likelihood_integral_over_mu(y, s_hat));
  std::printf("   %-50s %14.6e %14.6e\n", "integral L(sigma) dsigma, mu = ybar", trapezoid(l_sigma.x, l_sigma.f),
              likelihood_integral_over_sigma(y, ybar));
  std::printf("   %-50s %14.6e %14.6e\n", "the same data in units 10x larger: integral L(mu) dmu",
              trapezoid(l_mu10.x, l_mu10.f), likelihood_integral_over_mu(y10, s_hat / 10));
  std::printf("   %-50s %14.10f %14d\n", "integral N(y | ybar, sigma_MLE) dy", trapezoid(dens.x, dens.f), 1);
  std::printf("   %-50s %14.10f %14d\n", "the same in units 10x larger", trapezoid(dens10.x, dens10.f), 1);
  std::printf("   %-50s %14.10f %14d\n", "integral N(y | -3, 0.7) dy (any parameters)", trapezoid(dens_other.x, dens_other.f), 1);
  std::printf("   A density integrates to 1 over y for every parameter value; the likelihood, the same formula\n"
              "   read as a function of the parameters, integrates to whatever the data make it (here %.1e), and\n"
              "   changing the units of y multiplies that by 10^(n-1) = 1e%.0f.\n\n",
              trapezoid(l_mu.x, l_mu.f), n - 1);

  // The plot: a window around each peak of the wide grids.
  const double se = s_hat / std::sqrt(n);
  plot::Figure figure;
  figure.title = "Likelihood of fixed data (n = 20): a function of the parameters, not a density";
  figure.panels.push_back({"L(mu), sigma = sigma_MLE", "mu", "L(mu)", false,
                           {window("L(mu)", l_mu, ybar - 5 * se, ybar + 5 * se),
                            vertical("sample mean", ybar, l_mu.f[argmax(l_mu.f)])}});
  figure.panels.push_back({"L(sigma), mu = sample mean", "sigma", "L(sigma)", false,
                           {window("L(sigma)", l_sigma, 0.5 * s_hat, 2.2 * s_hat),
                            vertical("sigma_MLE", s_hat, l_sigma.f[argmax(l_sigma.f)])}});
  const plot::PlotResult r = plot::plot_svg(figure, out + "/likelihood");
  std::printf("plot: %s\ndata: %s\n", r.svg.empty() ? ("(none: " + r.note + ")").c_str() : r.svg.c_str(), r.data.c_str());
  return 0;
}
