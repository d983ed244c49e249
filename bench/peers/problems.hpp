#pragma once
// The data every implementation sees: generated once per size from fixed seeds, so LibTorch,
// ADOL-C, Sacado, tapegrad and the hand-written gradients all work on identical numbers.

#include <Eigen/Core>

#include <cmath>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace peers {

// Logistic regression: X is n x d (column-major, standard normal), y in {0, 1} drawn from
// sigmoid(X w_true); the gradient is taken at w = w_true, so no entry is zero by construction.
struct LogisticProblem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  Eigen::VectorXd w;
};

inline const LogisticProblem& logistic_problem(Eigen::Index n, Eigen::Index d) {
  static std::map<std::pair<Eigen::Index, Eigen::Index>, LogisticProblem> cache;
  auto it = cache.find({n, d});
  if (it != cache.end()) return it->second;
  LogisticProblem p;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z;
  p.X.resize(n, d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < n; ++i) p.X(i, j) = z(rng);
  p.w.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) p.w[j] = z(rng) / std::sqrt(static_cast<double>(d));
  const Eigen::VectorXd eta = p.X * p.w;
  p.y.resize(n);
  std::uniform_real_distribution<double> u;
  for (Eigen::Index i = 0; i < n; ++i) p.y[i] = u(rng) < 1 / (1 + std::exp(-eta[i])) ? 1.0 : 0.0;
  return cache.emplace(std::make_pair(n, d), std::move(p)).first->second;
}

// Softmax regression: X is n x d, K classes, W is d x K (column-major, so parameter j + d k is
// W(j, k)); labels drawn from softmax(X W_true); the gradient is taken at W = W_true / 2.
// With `bias`, the last column of X is all ones (the Hessian workload: d - 1 features + bias).
struct SoftmaxProblem {
  Eigen::MatrixXd X;
  Eigen::VectorXi y;
  Eigen::MatrixXd W;
  Eigen::Index classes() const { return W.cols(); }
};

inline const SoftmaxProblem& softmax_problem(Eigen::Index n, Eigen::Index d, Eigen::Index k, bool bias) {
  static std::map<std::vector<Eigen::Index>, SoftmaxProblem> cache;
  const std::vector<Eigen::Index> key{n, d, k, bias ? 1 : 0};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  SoftmaxProblem p;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z;
  p.X.resize(n, d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < n; ++i) p.X(i, j) = (bias && j == d - 1) ? 1.0 : z(rng);
  Eigen::MatrixXd w_true(d, k);
  for (Eigen::Index c = 0; c < k; ++c)
    for (Eigen::Index j = 0; j < d; ++j) w_true(j, c) = z(rng) / std::sqrt(static_cast<double>(d)) * 2;
  const Eigen::MatrixXd eta = p.X * w_true;
  p.y.resize(n);
  std::uniform_real_distribution<double> u;
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::ArrayXd e = (eta.row(i).array() - eta.row(i).maxCoeff()).exp().transpose();
    double draw = u(rng) * e.sum();
    int label = 0;
    while (label < k - 1 && draw > e[label]) draw -= e[label++];
    p.y[i] = label;
  }
  p.W = w_true / 2;
  return cache.emplace(key, std::move(p)).first->second;
}

// Student-t regression (bench/scalar_student_t.cpp's data): y = 1 + 2 x + 0.5 t_4 noise.
struct StudentTData {
  std::vector<double> x, y;
};

inline const StudentTData& student_t_data(int n) {
  static std::map<int, StudentTData> cache;
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  StudentTData out;
  std::mt19937_64 rng(2026);
  std::normal_distribution<double> z;
  std::student_t_distribution<double> noise(4.0);
  for (int i = 0; i < n; ++i) {
    const double x = z(rng);
    out.x.push_back(x);
    out.y.push_back(1.0 + 2.0 * x + 0.5 * noise(rng));
  }
  return cache.emplace(n, std::move(out)).first->second;
}

// theta = (a, b, log sigma, nu), away from the MLE (about (1, 2, log 0.5, 4)).
inline std::vector<double> student_t_theta() { return {0.8, 1.7, std::log(0.6), 5.0}; }

}  // namespace peers
