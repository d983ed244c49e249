#pragma once
// Likelihood is not probability. For fixed data y, L(mu, sigma) = prod_i N(y_i | mu, sigma) is a
// function of the parameters: it peaks at the MLE, but its integral over a parameter is not 1
// (and changes with the units of y), while the density integrated over y, for any fixed
// parameters, is 1. The computations of examples/likelihood_not_probability, shared with its test.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

namespace examples::likelihood_not_probability {

constexpr double kTwoPi = 6.28318530717958647693;

// n draws from N(mu, sigma) with a fixed seed: the data, held fixed from here on.
inline std::vector<double> make_data(std::size_t n = 20, std::uint64_t seed = 1, double mu = 1.0, double sigma = 2.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> draw(mu, sigma);
  std::vector<double> y(n);
  for (double& v : y) v = draw(rng);
  return y;
}

// The same data in other units: y / factor (factor 10: centimetres to decimetres, say).
inline std::vector<double> rescaled(std::vector<double> y, double factor) {
  for (double& v : y) v /= factor;
  return y;
}

inline double mean(const std::vector<double>& y) {
  double s = 0;
  for (double v : y) s += v;
  return s / static_cast<double>(y.size());
}

// RSS(c) = sum_i (y_i - c)^2
inline double rss(const std::vector<double>& y, double c) {
  double s = 0;
  for (double v : y) s += (v - c) * (v - c);
  return s;
}

// sigma_MLE = sqrt(RSS(ybar) / n): the root of d/dsigma log L = -n/sigma + RSS/sigma^3.
inline double sigma_mle(const std::vector<double>& y) {
  return std::sqrt(rss(y, mean(y)) / static_cast<double>(y.size()));
}

// log L(mu, sigma) = sum_i log N(y_i | mu, sigma), theta = (mu, sigma); generic in T so that
// tapegrad::gradient can differentiate it.
template <class T>
T log_likelihood(const std::vector<T>& theta, const std::vector<double>& y) {
  T ll = 0;
  for (double v : y) ll += tapegrad::normal_lpdf(v, theta[0], theta[1]);
  return ll;
}

inline double log_likelihood_at(const std::vector<double>& y, double mu, double sigma) {
  return log_likelihood(std::vector<double>{mu, sigma}, y);
}

// k evenly spaced points from lo to hi, both included.
inline std::vector<double> linspace(double lo, double hi, std::size_t k) {
  std::vector<double> x(k);
  for (std::size_t i = 0; i < k; ++i) x[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(k - 1);
  return x;
}

// Trapezoid rule: sum_i (x_{i+1} - x_i) (f_i + f_{i+1}) / 2.
inline double trapezoid(const std::vector<double>& x, const std::vector<double>& f) {
  double s = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) s += (x[i + 1] - x[i]) * (f[i] + f[i + 1]) / 2;
  return s;
}

inline std::size_t argmax(const std::vector<double>& f) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < f.size(); ++i)
    if (f[i] > f[best]) best = i;
  return best;
}

// A function on a grid: its log and its value (exp of the log, which may be tiny or huge).
struct Curve {
  std::vector<double> x;
  std::vector<double> log_f;
  std::vector<double> f;
};

// mu -> L(mu, sigma) with the data and sigma fixed.
inline Curve likelihood_in_mu(const std::vector<double>& y, double sigma, const std::vector<double>& mu_grid) {
  Curve c{mu_grid, {}, {}};
  for (double mu : mu_grid) c.log_f.push_back(log_likelihood_at(y, mu, sigma));
  for (double l : c.log_f) c.f.push_back(std::exp(l));
  return c;
}

// sigma -> L(mu, sigma) with the data and mu fixed.
inline Curve likelihood_in_sigma(const std::vector<double>& y, double mu, const std::vector<double>& sigma_grid) {
  Curve c{sigma_grid, {}, {}};
  for (double sigma : sigma_grid) c.log_f.push_back(log_likelihood_at(y, mu, sigma));
  for (double l : c.log_f) c.f.push_back(std::exp(l));
  return c;
}

// y -> N(y | mu, sigma) with the parameters fixed: a probability density in y.
inline Curve density_in_y(double mu, double sigma, const std::vector<double>& y_grid) {
  Curve c{y_grid, {}, {}};
  for (double v : y_grid) c.log_f.push_back(tapegrad::normal_lpdf(v, mu, sigma));
  for (double l : c.log_f) c.f.push_back(std::exp(l));
  return c;
}

// Closed form. L(mu) = (2 pi sigma^2)^(-n/2) exp(-RSS/(2 sigma^2)) exp(-n (mu - ybar)^2/(2 sigma^2)),
// RSS = RSS(ybar), and the last factor integrates to sqrt(2 pi sigma^2 / n), so
//   integral L(mu) dmu = (2 pi sigma^2)^(-(n-1)/2) n^(-1/2) exp(-RSS/(2 sigma^2)).
inline double likelihood_integral_over_mu(const std::vector<double>& y, double sigma) {
  const double n = static_cast<double>(y.size());
  return std::exp(-(n - 1) / 2 * std::log(kTwoPi * sigma * sigma) - 0.5 * std::log(n) -
                  rss(y, mean(y)) / (2 * sigma * sigma));
}

// Closed form. L(sigma) = (2 pi)^(-n/2) sigma^(-n) exp(-a / sigma^2), a = RSS(mu)/2; with
// t = a / sigma^2, integral_0^inf sigma^(-n) exp(-a/sigma^2) dsigma = Gamma((n-1)/2) a^(-(n-1)/2) / 2, so
//   integral L(sigma) dsigma = (2 pi)^(-n/2) Gamma((n-1)/2) (RSS(mu)/2)^(-(n-1)/2) / 2.
inline double likelihood_integral_over_sigma(const std::vector<double>& y, double mu) {
  const double n = static_cast<double>(y.size());
  const double a = rss(y, mu) / 2;
  return std::exp(-n / 2 * std::log(kTwoPi) + std::lgamma((n - 1) / 2) - (n - 1) / 2 * std::log(a) - std::log(2.0));
}

// The gradient of log L at (mu, sigma), by the tape.
inline Eigen::VectorXd log_likelihood_gradient(const std::vector<double>& y, double mu, double sigma) {
  auto f = [&](const auto& theta) { return log_likelihood(theta, y); };
  return tapegrad::gradient(f, Eigen::Vector2d(mu, sigma)).gradient;
}

}  // namespace examples::likelihood_not_probability
