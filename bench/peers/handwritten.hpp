#pragma once
// Hand-written values and gradients (and the softmax Hessian): the reference every library's
// derivatives are checked against, and the speed every library is compared with.

#include <Eigen/Core>

#include <cmath>
#include <vector>

#include <tapegrad/autodiff/special.hpp>

#include "problems.hpp"

namespace peers {

// Logistic mean NLL: eta = X w; loss = mean(softplus(eta) - y eta); grad = X^T (sigmoid(eta) - y) / n.
// Two passes over X; stable forms with t = exp(-|eta|), SIMD exp and log through Eigen arrays.
// (bench/logistic_regression.cpp's reference.)
struct LogisticWork {
  Eigen::VectorXd eta, r;
};
inline double logistic_value_gradient(const LogisticProblem& p, const Eigen::VectorXd& w, LogisticWork& work,
                                      Eigen::VectorXd& grad) {
  const double n = static_cast<double>(p.y.size());
  work.eta.noalias() = p.X * w;
  const auto e = work.eta.array();
  const Eigen::ArrayXd t = (-e.abs()).exp();
  const double loss = (e.max(0.0) + (1.0 + t).log() - p.y.array() * e).sum() / n;
  work.r.array() = (e >= 0).select(1.0 / (1.0 + t), t / (1.0 + t)) - p.y.array();
  grad.noalias() = p.X.transpose() * work.r;
  grad /= n;
  return loss;
}

// Softmax mean NLL: eta = X W (n x K); loss = mean(lse_i - eta_{i, y_i});
// grad = X^T (softmax(eta) - onehot(y)) / n, d x K, returned column-major (parameter j + d k).
struct SoftmaxWork {
  Eigen::MatrixXd eta;
  Eigen::VectorXd lse;
  Eigen::MatrixXd grad;
};
inline double softmax_value_gradient(const SoftmaxProblem& p, const Eigen::MatrixXd& W, SoftmaxWork& work) {
  const Eigen::Index n = p.X.rows();
  work.eta.noalias() = p.X * W;
  const Eigen::VectorXd m = work.eta.rowwise().maxCoeff();
  work.eta.colwise() -= m;                 // eta - m_i
  work.eta = work.eta.array().exp();       // e_ij
  const Eigen::VectorXd s = work.eta.rowwise().sum();
  work.lse = m.array() + s.array().log();
  double loss = work.lse.sum();
  // Recover eta_{i, y_i} = m_i + log e_{i, y_i}, then turn e into softmax - onehot.
  work.eta.array().colwise() /= s.array();
  for (Eigen::Index i = 0; i < n; ++i) {
    const Eigen::Index c = p.y[i];
    loss -= m[i] + std::log(work.eta(i, c) * s[i]);
    work.eta(i, c) -= 1.0;
  }
  work.grad.noalias() = p.X.transpose() * work.eta;
  work.grad /= static_cast<double>(n);
  return loss / static_cast<double>(n);
}

// Hessian of the softmax mean NLL in W (column-major parameters): block (k, l), d x d, is
// X^T diag(P_k (delta_kl - P_l)) X / n with P = softmax(X W). K (K + 1) / 2 weighted X^T X.
inline Eigen::MatrixXd softmax_hessian(const SoftmaxProblem& p, const Eigen::MatrixXd& W) {
  const Eigen::Index n = p.X.rows(), d = p.X.cols(), K = W.cols();
  Eigen::MatrixXd P = p.X * W;
  const Eigen::VectorXd m = P.rowwise().maxCoeff();
  P.colwise() -= m;
  P = P.array().exp();
  P.array().colwise() /= P.rowwise().sum().array();
  Eigen::MatrixXd H(d * K, d * K);
  Eigen::MatrixXd weighted(n, d);
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index l = k; l < K; ++l) {
      const Eigen::ArrayXd wgt = P.col(k).array() * ((k == l ? 1.0 : 0.0) - P.col(l).array());
      weighted = p.X.array().colwise() * wgt;
      H.block(d * k, d * l, d, d).noalias() = p.X.transpose() * weighted / static_cast<double>(n);
      if (l != k) H.block(d * l, d * k, d, d) = H.block(d * k, d * l, d, d).transpose();
    }
  }
  return H;
}

// Student-t log-likelihood and its gradient, derived by hand, in one loop
// (bench/scalar_student_t.cpp's reference).
inline double student_t_value_gradient(const std::vector<double>& theta, const StudentTData& d, double* grad) {
  const double a = theta[0], b = theta[1], sigma = std::exp(theta[2]), nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  const double s2nu = sigma * sigma * nu;
  double sum_log1p = 0, sum_q_ratio = 0, ga = 0, gb = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double r = d.y[i] - (a + b * d.x[i]);
    const double q = r * r / s2nu;                   // z^2 / nu
    const double w = (nu + 1) * r / (s2nu + r * r);  // d ll_i / d a
    sum_log1p += std::log1p(q);
    sum_q_ratio += q / (1 + q);
    ga += w;
    gb += w * d.x[i];
  }
  const double half = (nu + 1) / 2;
  grad[0] = ga;
  grad[1] = gb;
  grad[2] = -n + (nu + 1) * sum_q_ratio;  // sigma * d/dsigma
  grad[3] = n * (0.5 * tapegrad::digamma(half) - 0.5 * tapegrad::digamma(nu / 2) - 0.5 / nu) - 0.5 * sum_log1p +
            half / nu * sum_q_ratio;
  return n * (std::lgamma(half) - std::lgamma(nu / 2) - 0.5 * std::log(nu * M_PI) - std::log(sigma)) - half * sum_log1p;
}

}  // namespace peers
