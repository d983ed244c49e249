#pragma once
// KL divergence and cross-entropy between a fixed categorical p_data and p_model = softmax(z),
// as functions of the logits z, written once for T = double and T = tapegrad::Var.
//
//   H(p, q)      = -sum_k p_k log q_k                       (cross-entropy)
//   KL(p || q)   =  sum_k p_k (log p_k - log q_k) = H(p, q) - H(p)
//   d/dz H(p, softmax(z)) = d/dz KL(p || softmax(z)) = softmax(z) - p   (when sum p = 1)
//
// log q comes from log_softmax(z) = z - log_sum_exp(z), so logits of +-1000 stay finite.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

namespace examples::kl_vs_cross_entropy {

// The data distribution: K = 4 fixed probabilities (sum 1).
inline std::vector<double> p_data() { return {0.50, 0.25, 0.15, 0.10}; }

// log softmax(z)_k = z_k - log sum_j exp(z_j); log_sum_exp subtracts max z first.
template <class T>
std::vector<T> log_softmax(const std::vector<T>& z) {
  const T lse = tapegrad::log_sum_exp(z);  // overloads for std::vector<double> and <Var>
  std::vector<T> out;
  out.reserve(z.size());
  for (const T& zk : z) out.push_back(zk - lse);
  return out;
}

// H(p, softmax(z)) = -sum_k p_k log softmax(z)_k. Terms with p_k = 0 contribute 0.
template <class T>
T cross_entropy(const std::vector<double>& p, const std::vector<T>& z) {
  const std::vector<T> log_q = log_softmax(z);
  T h = 0;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (p[k] > 0) h -= p[k] * log_q[k];
  return h;
}

// KL(p || softmax(z)) = sum_k p_k (log p_k - log softmax(z)_k); 0 log 0 = 0.
template <class T>
T kl_divergence(const std::vector<double>& p, const std::vector<T>& z) {
  const std::vector<T> log_q = log_softmax(z);
  T d = 0;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (p[k] > 0) d += p[k] * (std::log(p[k]) - log_q[k]);
  return d;
}

// H(p) = -sum_k p_k log p_k: the constant between the two losses.
inline double entropy(const std::vector<double>& p) {
  double h = 0;
  for (double pk : p)
    if (pk > 0) h -= pk * std::log(pk);
  return h;
}

// KL(p || q) between two probability vectors (for the asymmetry demonstration).
inline double kl_probabilities(const std::vector<double>& p, const std::vector<double>& q) {
  double d = 0;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (p[k] > 0) d += p[k] * std::log(p[k] / q[k]);
  return d;
}

// softmax(z)_k = exp(z_k - max z) / sum_j exp(z_j - max z).
inline std::vector<double> softmax(const std::vector<double>& z) {
  const double lse = tapegrad::log_sum_exp(z);
  std::vector<double> q;
  for (double zk : z) q.push_back(std::exp(zk - lse));
  return q;
}

// The textbook form -sum p_k log(exp(z_k) / sum_j exp(z_j)): overflows at large logits.
inline double naive_cross_entropy(const std::vector<double>& p, const std::vector<double>& z) {
  double s = 0;
  for (double zk : z) s += std::exp(zk);
  double h = 0;
  for (std::size_t k = 0; k < p.size(); ++k) h -= p[k] * std::log(std::exp(z[k]) / s);
  return h;
}

// `count` logit vectors of length K, entries N(0, scale^2), from a fixed seed.
inline std::vector<std::vector<double>> random_logits(std::size_t count, std::size_t K, double scale,
                                                      std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, scale);
  std::vector<std::vector<double>> out(count, std::vector<double>(K));
  for (auto& z : out)
    for (double& zk : z) zk = normal(rng);
  return out;
}

// Value and engine gradient of H(p, softmax(z)) and of KL(p || softmax(z)) at z.
struct LossesAt {
  double cross_entropy;
  double kl;
  Eigen::VectorXd grad_cross_entropy;
  Eigen::VectorXd grad_kl;
};

inline LossesAt losses_at(const std::vector<double>& p, const std::vector<double>& z) {
  const Eigen::VectorXd z0 = Eigen::Map<const Eigen::VectorXd>(z.data(), static_cast<Eigen::Index>(z.size()));
  const auto ce = tapegrad::gradient([&](const auto& zz) { return cross_entropy(p, zz); }, z0);
  const auto kl = tapegrad::gradient([&](const auto& zz) { return kl_divergence(p, zz); }, z0);
  return {ce.value, kl.value, ce.gradient, kl.gradient};
}

}  // namespace examples::kl_vs_cross_entropy
