#pragma once
// A Gaussian regression whose noise grows with x, written by hand, generic in its scalar type T:
//
//   y_i ~ Normal(a + b x_i, sigma_i),  log sigma_i = c + d x_i,  theta = (a, b, c, d)
//
// Modelling log sigma keeps every sigma_i positive for any theta, so the optimizer needs no
// constraints. Used by main.cpp and by tests/examples/custom_heteroscedastic_gaussian_test.cpp.
#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>
#include <tapegrad/models/iid_likelihood.hpp>

namespace examples::custom_heteroscedastic_gaussian {

struct Data {
  std::vector<double> x, y;
};

// log p(y_i | theta) = -log sigma_i - log(2 pi)/2 - ((y_i - m_i) / sigma_i)^2 / 2,
// m_i = a + b x_i, log sigma_i = c + d x_i.
template <class T>
T log_density(const std::vector<T>& theta, const Data& d, std::size_t i) {
  using std::exp;
  const double log_sqrt_two_pi = 0.91893853320467274178;
  const T log_sigma = theta[2] + theta[3] * d.x[i];
  const T z = (d.y[i] - (theta[0] + theta[1] * d.x[i])) * exp(-log_sigma);  // a product: cheaper than dividing
  return -(log_sigma + log_sqrt_two_pi + 0.5 * z * z);
}

// log L(theta) = sum_i log p(y_i | theta): IID observations.
template <class T>
T log_likelihood(const std::vector<T>& theta, const Data& d) {
  T ll = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) ll += log_density(theta, d, i);
  return ll;
}

// The generating parameters of simulate().
inline const Eigen::Vector4d& true_theta() {
  static const Eigen::Vector4d theta(1.0, 2.0, -0.5, 0.6);
  return theta;
}

// n observations, x ~ Uniform(-2, 2): sigma runs from exp(-1.7) = 0.18 to exp(0.7) = 2.0.
inline Data simulate(std::size_t n = 2000, std::uint64_t seed = 20240607) {
  const Eigen::Vector4d& t = true_theta();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x_dist(-2.0, 2.0);
  std::normal_distribution<double> noise(0.0, 1.0);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = x_dist(rng);
    d.x.push_back(x);
    d.y.push_back(t[0] + t[1] * x + std::exp(t[2] + t[3] * x) * noise(rng));
  }
  return d;
}

// A start that knows nothing about the noise: the mean and log sd of y, no slopes.
inline Eigen::VectorXd naive_start(const Data& d) {
  const Eigen::Map<const Eigen::VectorXd> y(d.y.data(), static_cast<Eigen::Index>(d.y.size()));
  const double mean = y.mean();
  Eigen::VectorXd start(4);
  start << mean, 0.0, 0.5 * std::log((y.array() - mean).square().mean()), 0.0;
  return start;
}

// Maximum likelihood by L-BFGS on the tape's exact gradient (to max |gradient| < 1e-10 of the
// mean NLL); standard errors from the inverse of the exact Hessian of -log L at the estimate.
inline tapegrad::models::IidFit fit(const Data& d, const Eigen::VectorXd& start) {
  tapegrad::models::OptimizerOptions options;  // lbfgs
  options.tolerance = 1e-10;
  auto log_p = [&d](const auto& theta, std::size_t i) { return log_density(theta, d, i); };
  return tapegrad::models::fit_iid(log_p, d.x.size(), start, options, {"a", "b", "c", "d"});
}

}  // namespace examples::custom_heteroscedastic_gaussian
