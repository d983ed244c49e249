#pragma once
// Example 6: squared error on a sigmoid output against binary cross-entropy, for a one-feature
// logistic model y_hat = sigmoid(z), z = w x + b. The computations of main.cpp, shared with
// tests/examples/mse_vs_bce_test.cpp so the test asserts the claims on the same code.
//
//   squared error:  L = (y - y_hat)^2 / 2      dL/dz = -(y - y_hat) y_hat (1 - y_hat)
//   cross-entropy:  L = -log sigmoid(z)  (y=1)  dL/dz = -(y - y_hat)
//                       -log sigmoid(-z) (y=0)
// and dL/dw = x dL/dz. The factor y_hat (1 - y_hat) is the sigmoid's slope: it vanishes when
// the sigmoid saturates, so a confidently wrong model gets no signal from the squared error.

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

namespace examples::mse_vs_bce {

enum class Loss { squared_error, cross_entropy };

inline const char* name(Loss loss) { return loss == Loss::squared_error ? "MSE" : "BCE"; }

// (y - sigmoid(z))^2 / 2, generic in T (double or tapegrad::Var).
template <class T>
T squared_error(const T& z, double y) {
  using tapegrad::sigmoid;
  using tapegrad::square;
  return square(y - sigmoid(z)) / 2;
}

// -log p(y | z) for a Bernoulli with p = sigmoid(z), through the logit: log_sigmoid(z) =
// -softplus(-z) never forms sigmoid(z), so z = -1000 with y = 1 gives 1000, not
// -log(0) = inf. Labels are 0 or 1.
template <class T>
T cross_entropy(const T& z, double y) {
  using tapegrad::log_sigmoid;
  if (y == 1) return T(-log_sigmoid(z));  // -log sigmoid(z)
  return T(-log_sigmoid(-z));  // -log(1 - sigmoid(z)) = -log sigmoid(-z)
}

template <class T>
T point_loss(Loss loss, const T& z, double y) {
  return loss == Loss::squared_error ? squared_error(z, y) : cross_entropy(z, y);
}

// The loss of one observation (x, y) at theta = (w, b).
template <class T>
T loss_at(Loss loss, const std::vector<T>& theta, double x, double y) {
  return point_loss(loss, T(theta[0] * x + theta[1]), y);  // z = w x + b
}

// dL/dz of one observation, by the engine (a one-parameter tape).
inline double loss_slope(Loss loss, double z, double y) {
  Eigen::VectorXd at(1);
  at << z;
  return tapegrad::gradient([&](const auto& th) { return point_loss(loss, th[0], y); }, at).gradient[0];
}

struct Data {
  std::vector<double> x;
  std::vector<double> y;  // 0 or 1
};

// n points, labels alternating 0, 1; x ~ N(+2, 1) for y = 1 and N(-2, 1) for y = 0.
// Box-Muller on mt19937_64's raw output (whose sequence the standard fixes), not
// std::normal_distribution (which differs between standard libraries), so the numbers in the
// README are the same everywhere.
inline Data make_data(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };  // in (0, 1)
  Data d;
  for (int i = 0; i < n; ++i) {
    const double u1 = uniform(), u2 = uniform();
    const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    const double y = i % 2;
    d.x.push_back((y == 1 ? 2.0 : -2.0) + normal);
    d.y.push_back(y);
  }
  return d;
}

// Mean loss over the data at theta = (w, b), generic in T so the engine can differentiate it.
template <class T>
T mean_loss(const std::vector<T>& theta, const Data& d, Loss loss) {
  T total = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) total += loss_at(loss, theta, d.x[i], d.y[i]);
  return total / static_cast<double>(d.x.size());
}

// Fraction of points on the right side of z = 0.
inline double accuracy(const Eigen::Vector2d& theta, const Data& d) {
  int right = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) right += ((theta[0] * d.x[i] + theta[1] > 0) == (d.y[i] == 1));
  return static_cast<double>(right) / static_cast<double>(d.x.size());
}

// The experiment of claim c: data, a confidently wrong start, plain gradient descent.
struct Setup {
  int n = 200;
  std::uint64_t seed = 1;
  // z = -4 x: about -8 for the positives (x near 2) and +8 for the negatives: both wrong.
  Eigen::Vector2d start{-4.0, 0.0};
  double learning_rate = 0.5;
  int steps = 100;
};

struct Trace {
  std::vector<double> loss;      // loss[k]: mean loss after k steps, k = 0..steps
  std::vector<double> accuracy;  // likewise
  Eigen::Vector2d theta;         // (w, b) after the last step
};

// theta <- theta - learning_rate * grad L(theta), the gradient from the engine.
inline Trace gradient_descent(Loss loss, const Data& d, Eigen::Vector2d theta, double learning_rate, int steps) {
  Trace t;
  const auto f = [&](const auto& th) { return mean_loss(th, d, loss); };
  for (int k = 0;; ++k) {
    const tapegrad::GradientResult r = tapegrad::gradient(f, theta);
    t.loss.push_back(r.value);
    t.accuracy.push_back(accuracy(theta, d));
    if (k == steps) break;
    theta -= learning_rate * r.gradient;
  }
  t.theta = theta;
  return t;
}

}  // namespace examples::mse_vs_bce
