#pragma once
// Linear regression y = b0 + b1 x1 + b2 x2 + noise, and its two losses, written once for
// T = double and T = tapegrad::Var:
//
//   MSE(theta)        = (1/m) sum_i (y_hat_i - y_i)^2
//   NLL(theta; sigma) = m log sigma + (m/2) log(2 pi) + sum_i (y_hat_i - y_i)^2 / (2 sigma^2)
//
// so with sigma fixed, grad NLL = (m / (2 sigma^2)) grad MSE: the same minimiser. With sigma
// learned, d NLL / d sigma = m / sigma - RSS / sigma^3 = 0 gives sigma^2 = RSS / m.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include <tapegrad/autodiff.hpp>
#include <tapegrad/models/optimizer.hpp>

namespace examples::gaussian_mle_least_squares {

// Design matrix X (n x 3: intercept, x1, x2) and response y.
struct Data {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

// The true coefficients and noise level the data are drawn with.
inline Eigen::Vector3d true_coefficients() { return {1.0, 2.0, -0.5}; }
constexpr double true_sigma = 0.8;

// n rows, x1, x2 ~ N(0, 1), y = 1 + 2 x1 - 0.5 x2 + 0.8 eps, from a fixed seed.
inline Data make_data(int n = 50, std::uint64_t seed = 2024) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> unit(0.0, 1.0);
  Data d{Eigen::MatrixXd(n, 3), Eigen::VectorXd(n)};
  const Eigen::Vector3d beta = true_coefficients();
  for (int i = 0; i < n; ++i) {
    const double x1 = unit(rng), x2 = unit(rng);
    d.X.row(i) << 1.0, x1, x2;
    d.y[i] = beta[0] + beta[1] * x1 + beta[2] * x2 + true_sigma * unit(rng);
  }
  return d;
}

// RSS = sum_i (x_i . theta[0..2] - y_i)^2. Extra entries of theta (log sigma) are ignored.
template <class T>
T rss(const std::vector<T>& theta, const Data& d) {
  T total = 0;
  for (Eigen::Index i = 0; i < d.X.rows(); ++i) {
    const T r = d.X(i, 0) * theta[0] + d.X(i, 1) * theta[1] + d.X(i, 2) * theta[2] - d.y[i];
    total += r * r;
  }
  return total;
}

// MSE = RSS / m.
template <class T>
T mse(const std::vector<T>& theta, const Data& d) {
  return rss(theta, d) / static_cast<double>(d.X.rows());
}

// NLL with sigma held fixed = m log sigma + (m/2) log 2 pi + RSS / (2 sigma^2).
template <class T>
T nll_fixed_sigma(const std::vector<T>& theta, const Data& d, double sigma) {
  const double m = static_cast<double>(d.X.rows());
  return m * std::log(sigma) + 0.5 * m * std::log(2 * M_PI) + rss(theta, d) / (2 * sigma * sigma);
}

// NLL with sigma learned: theta = (b0, b1, b2, log sigma), so sigma > 0 for any theta.
// = m log sigma + (m/2) log 2 pi + RSS exp(-2 log sigma) / 2
template <class T>
T nll_learned_sigma(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  const double m = static_cast<double>(d.X.rows());
  const T& log_sigma = theta[3];
  return m * log_sigma + 0.5 * m * std::log(2 * M_PI) + 0.5 * rss(theta, d) * exp(-2.0 * log_sigma);
}

// The factor between the two gradients: grad NLL = m / (2 sigma^2) * grad MSE.
inline double gradient_scale(const Data& d, double sigma) {
  return static_cast<double>(d.X.rows()) / (2 * sigma * sigma);
}

// A function generic in its scalar type, as a full-batch Objective for tapegrad::models::minimize.
template <class F>
class FunctionObjective : public tapegrad::models::Objective {
 public:
  FunctionObjective(F f, Eigen::Index dimension, std::size_t observations)
      : f_(std::move(f)), dimension_(dimension), observations_(observations) {}
  Eigen::Index dimension() const override { return dimension_; }
  std::size_t observations() const override { return observations_; }
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
    auto r = tapegrad::gradient(f_, x);
    g = r.gradient;
    return r.value;
  }
  double batch_value_gradient(const Eigen::VectorXd&, const std::vector<std::size_t>&, Eigen::VectorXd&) override {
    throw std::logic_error("FunctionObjective is full batch only");  // lbfgs/newton never call it
  }
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override { return tapegrad::hessian(f_, x); }

 private:
  F f_;
  Eigen::Index dimension_;
  std::size_t observations_;
};

// Minimises f from x0 with L-BFGS until max |gradient| < tolerance.
template <class F>
tapegrad::models::OptimizerResult minimise(F f, const Eigen::VectorXd& x0, std::size_t observations,
                                           double tolerance = 1e-10) {
  FunctionObjective<F> objective(std::move(f), x0.size(), observations);
  tapegrad::models::OptimizerOptions options;
  options.method = "lbfgs";
  options.max_iterations = 500;
  options.tolerance = tolerance;
  return tapegrad::models::minimize(objective, x0, options);
}

// The three fits of the example.
struct Fits {
  tapegrad::models::OptimizerResult mse;          // theta = (b0, b1, b2)
  tapegrad::models::OptimizerResult nll_fixed;    // theta = (b0, b1, b2), sigma = fixed_sigma
  tapegrad::models::OptimizerResult nll_learned;  // theta = (b0, b1, b2, log sigma)
};

inline Fits fit_all(const Data& d, double fixed_sigma) {
  const std::size_t m = static_cast<std::size_t>(d.X.rows());
  Fits fits;
  fits.mse = minimise([&](const auto& th) { return mse(th, d); }, Eigen::VectorXd::Zero(3), m);
  fits.nll_fixed =
      minimise([&](const auto& th) { return nll_fixed_sigma(th, d, fixed_sigma); }, Eigen::VectorXd::Zero(3), m);
  fits.nll_learned = minimise([&](const auto& th) { return nll_learned_sigma(th, d); }, Eigen::VectorXd::Zero(4), m);
  return fits;
}

// RSS at a coefficient vector (double convenience).
inline double rss_at(const Eigen::VectorXd& beta, const Data& d) { return (d.X * beta.head(3) - d.y).squaredNorm(); }

}  // namespace examples::gaussian_mle_least_squares
