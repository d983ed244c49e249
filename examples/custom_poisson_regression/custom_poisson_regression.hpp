#pragma once
// Poisson regression written by hand: a log-likelihood over observations, generic in its scalar
// type T, fitted by maximum likelihood with tapegrad's optimizer and differentiated by the tape.
//
//   y_i ~ Poisson(mu_i),  log mu_i = a + b x_i,  theta = (a, b)
//
// Used by main.cpp and by tests/examples/custom_poisson_regression_test.cpp.
#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>
#include <tapegrad/models/iid_likelihood.hpp>

namespace examples::custom_poisson_regression {

struct Data {
  std::vector<double> x, y;  // y holds counts
};

// log p(y_i | theta) = y_i log(mu_i) - mu_i - log(y_i!),  log mu_i = a + b x_i.
template <class T>
T log_density(const std::vector<T>& theta, const Data& d, std::size_t i) {
  using std::exp;
  const T log_mu = theta[0] + theta[1] * d.x[i];
  return d.y[i] * log_mu - exp(log_mu) - std::lgamma(d.y[i] + 1.0);  // lgamma of data: a constant
}

// log L(theta) = sum_i log p(y_i | theta): IID observations.
template <class T>
T log_likelihood(const std::vector<T>& theta, const Data& d) {
  T ll = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) ll += log_density(theta, d, i);
  return ll;
}

// n observations, x ~ Uniform(-1, 1), counts from log mu = a + b x with the given a, b.
inline Data simulate(std::size_t n = 400, double a = 0.5, double b = 0.8, std::uint64_t seed = 20240607) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> x_dist(-1.0, 1.0);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = x_dist(rng);
    std::poisson_distribution<int> y_dist(std::exp(a + b * x));
    d.x.push_back(x);
    d.y.push_back(y_dist(rng));
  }
  return d;
}

// Maximum likelihood by L-BFGS on the tape's exact gradient (to max |gradient| < 1e-10 of the
// mean NLL); standard errors from the inverse of the exact Hessian of -log L at the estimate.
inline tapegrad::models::IidFit fit(const Data& d, const Eigen::VectorXd& start) {
  tapegrad::models::OptimizerOptions options;  // lbfgs
  options.tolerance = 1e-10;
  auto log_p = [&d](const auto& theta, std::size_t i) { return log_density(theta, d, i); };
  return tapegrad::models::fit_iid(log_p, d.x.size(), start, options, {"a", "b"});
}

}  // namespace examples::custom_poisson_regression
