#pragma once
// IID turns a product into a sum. For independent observations p(y_1..y_n | theta) =
// prod_i p(y_i | theta), so log p = sum_i log p(y_i | theta): equal where the product is
// representable, and the sum stays finite where the product underflows to 0. A loss that is a
// sum can be estimated from a random mini-batch B of size m: (n/m) sum_{i in B} l_i is unbiased
// for the full sum, and so is its gradient. The computations of examples/iid_product_to_sum,
// shared with its test.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

namespace examples::iid_product_to_sum {

// Regression data y_i = 1 + 2 x_i + e_i, x_i ~ N(0, 1), e_i ~ N(0, 1), drawn with a fixed seed.
struct Data {
  std::vector<double> x, y;
  std::size_t size() const { return y.size(); }
};

inline Data make_data(std::size_t n = 2000, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> unit(0.0, 1.0);
  Data d;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = unit(rng);
    d.x.push_back(x);
    d.y.push_back(1.0 + 2.0 * x + unit(rng));
  }
  return d;
}

// The parameters everything is evaluated at, theta = (a, b, sigma): away from the MLE, so the
// full gradient is far from zero (as at an optimizer's early iterations).
inline Eigen::VectorXd evaluation_point() { return Eigen::Vector3d(0.5, 1.5, 2.0); }

// log p(y_i | theta) = log N(y_i | a + b x_i, sigma)
template <class T>
T log_density(const std::vector<T>& theta, const Data& d, std::size_t i) {
  return tapegrad::normal_lpdf(d.y[i], theta[0] + theta[1] * d.x[i], theta[2]);
}

// The full loss: the negative log-likelihood, -log prod_i p(y_i) = -sum_i log p(y_i).
template <class T>
T full_loss(const std::vector<T>& theta, const Data& d) {
  T loss = 0;
  for (std::size_t i = 0; i < d.size(); ++i) loss -= log_density(theta, d, i);
  return loss;
}

// The mini-batch estimate of the full loss: -(n/m) sum_{i in batch} log p(y_i).
template <class T>
T batch_loss(const std::vector<T>& theta, const Data& d, const std::vector<std::size_t>& batch) {
  T loss = 0;
  for (std::size_t i : batch) loss -= log_density(theta, d, i);
  return loss * (static_cast<double>(d.size()) / static_cast<double>(batch.size()));
}

inline std::vector<double> as_std(const Eigen::VectorXd& theta) { return {theta.data(), theta.data() + theta.size()}; }

// The product prod_{i < n} p(y_i), multiplied out in double as written.
inline double product_of_densities(const Eigen::VectorXd& theta, const Data& d, std::size_t n) {
  const std::vector<double> th = as_std(theta);
  double product = 1;
  for (std::size_t i = 0; i < n; ++i) product *= std::exp(log_density(th, d, i));
  return product;
}

// The sum sum_{i < n} log p(y_i).
inline double sum_of_log_densities(const Eigen::VectorXd& theta, const Data& d, std::size_t n) {
  const std::vector<double> th = as_std(theta);
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += log_density(th, d, i);
  return sum;
}

// Where the running product of densities leaves the normal doubles (below 2.2e-308: subnormal,
// losing digits) and where it first becomes exactly 0 (below 4.9e-324 / 2); 0 if never.
struct Underflow {
  std::size_t first_subnormal = 0;
  std::size_t first_zero = 0;
};

inline Underflow find_underflow(const Eigen::VectorXd& theta, const Data& d) {
  const std::vector<double> th = as_std(theta);
  Underflow u;
  double product = 1;
  for (std::size_t n = 1; n <= d.size(); ++n) {
    product *= std::exp(log_density(th, d, n - 1));
    if (!u.first_subnormal && product < std::numeric_limits<double>::min()) u.first_subnormal = n;
    if (product == 0) {
      u.first_zero = n;
      break;
    }
  }
  return u;
}

// m distinct indices of 0..n-1, uniformly at random: the first m steps of a Fisher-Yates shuffle
// of `order` (any permutation of 0..n-1, kept between calls).
inline std::vector<std::size_t> draw_batch(std::vector<std::size_t>& order, std::size_t m, std::mt19937_64& rng) {
  for (std::size_t i = 0; i < m; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  return {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m)};
}

// Many mini-batch estimates at one theta: the loss and its gradient (by the tape) per batch.
struct MinibatchStudy {
  std::vector<double> loss;            // one per batch
  std::vector<Eigen::VectorXd> grad;   // one per batch
};

inline MinibatchStudy run_minibatches(const Eigen::VectorXd& theta, const Data& d, std::size_t m, std::size_t batches,
                                      std::uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> order(d.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  MinibatchStudy s;
  s.loss.reserve(batches);
  s.grad.reserve(batches);
  for (std::size_t k = 0; k < batches; ++k) {
    const std::vector<std::size_t> batch = draw_batch(order, m, rng);
    const auto r = tapegrad::gradient([&](const auto& th) { return batch_loss(th, d, batch); }, theta);
    s.loss.push_back(r.value);
    s.grad.push_back(r.gradient);
  }
  return s;
}

// Value and gradient of the full loss, by the tape.
inline tapegrad::GradientResult full_loss_gradient(const Eigen::VectorXd& theta, const Data& d) {
  return tapegrad::gradient([&](const auto& th) { return full_loss(th, d); }, theta);
}

// Mean and standard error (sample sd / sqrt(count)) of a set of estimates.
struct MeanSe {
  double mean;
  double se;
};

inline MeanSe mean_se(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  return {mean, sd / std::sqrt(static_cast<double>(v.size()))};
}

// Component j of each gradient.
inline std::vector<double> component(const std::vector<Eigen::VectorXd>& g, Eigen::Index j) {
  std::vector<double> c;
  c.reserve(g.size());
  for (const auto& v : g) c.push_back(v[j]);
  return c;
}

// Sampling theory for the spread of one batch estimate (m of n drawn without replacement):
// Var[(n/m) sum_B l_i] = n^2 (1 - m/n) S^2 / m, S^2 = sum_i (l_i - lbar)^2 / (n - 1).
inline double batch_sd_theory(const std::vector<double>& per_point, std::size_t m) {
  const double n = static_cast<double>(per_point.size());
  double mean = 0;
  for (double l : per_point) mean += l / n;
  double s2 = 0;
  for (double l : per_point) s2 += (l - mean) * (l - mean) / (n - 1);
  return n * std::sqrt((1 - static_cast<double>(m) / n) * s2 / static_cast<double>(m));
}

// The per-observation losses l_i = -log p(y_i) and their gradients (by the tape).
inline std::vector<double> point_losses(const Eigen::VectorXd& theta, const Data& d) {
  const std::vector<double> th = as_std(theta);
  std::vector<double> l;
  for (std::size_t i = 0; i < d.size(); ++i) l.push_back(-log_density(th, d, i));
  return l;
}

inline std::vector<Eigen::VectorXd> point_gradients(const Eigen::VectorXd& theta, const Data& d) {
  std::vector<Eigen::VectorXd> g;
  for (std::size_t i = 0; i < d.size(); ++i)
    g.push_back(tapegrad::gradient([&](const auto& th) { return -log_density(th, d, i); }, theta).gradient);
  return g;
}

// running[k] = mean of v[0..k]
inline std::vector<double> running_mean(const std::vector<double>& v) {
  std::vector<double> r(v.size());
  double sum = 0;
  for (std::size_t k = 0; k < v.size(); ++k) r[k] = (sum += v[k]) / static_cast<double>(k + 1);
  return r;
}

}  // namespace examples::iid_product_to_sum
