#pragma once
// GLM log-likelihoods as one node each: the linear predictor eta = x W + b and the family's
// log density, fused (Stan's *_glm_lpmf idea).
//
//   Var ll = tapegrad::bernoulli_logit_glm_lpmf(y, x, w, b);   // == bernoulli_logit_lpmf(y, matmul(x, w) + b)
//
// The two-node form reads x twice (x W forward, x^T adjoint backward) and keeps eta and its
// adjoint, 2 N K doubles, on the tape. Here the forward pass walks x once, in blocks of rows
// that stay in cache: eta for the block, the block's log densities and d lp / d eta, then
// x_block^T (d lp / d eta) added to the gradient. The node keeps only dW (d x K) and db (K),
// so its backward step reads nothing of size N. The result is the same sum, exact; it differs
// from the two-node form by rounding only.
//
// x: N x d data as a DataMatrix view (data_view(X) for a whole matrix, data_rows for a shard's
// rows), read only during the call. W: d x K; b: 1 x K, or omitted (no intercept). normal,
// bernoulli and poisson have K = 1; categorical has one column of W per class.

#include <Eigen/Core>

#include "tapegrad/autodiff/densities.hpp"
#include "tapegrad/autodiff/matrix.hpp"

namespace tapegrad {

// sum_i log N(y_i | x_i W + b, sigma) (linear regression); sigma a Var (learned), an expression
// over Vars, or a double (held fixed).
template <class Real>
BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                  const BasicMatVar<Real>& b, detail::ScalarParam<Real> sigma);
template <class Real>
BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                  detail::ScalarParam<Real> sigma);

// sum_i log Bernoulli(y_i | sigmoid(x_i W + b)); y_i in {0, 1}.
template <class Real>
BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                        const BasicMatVar<Real>& b);
template <class Real>
BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w);

// sum_i log Poisson(y_i | exp(x_i W + b)), log y_i! included; y_i non-negative integers.
template <class Real>
BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                    const BasicMatVar<Real>& b);
template <class Real>
BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w);

// sum_i log Categorical(y_i | softmax(x_i W + b)); labels 0..K-1, K = W.cols().
template <class Real>
BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                          const BasicMatVar<Real>& b);
template <class Real>
BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi& y, const DataMatrix& x, const BasicMatVar<Real>& w);

// ---- second order, in one pass over x ----
//
// Value, gradient and Hessian of the sums above with respect to u = (vec(W), b): W's entries
// column-major (u[j + d k] = W(j, k)), then b's K entries when b is not empty. With eta_i =
// x_i W + b, H = sum_i Z_i^T (d^2 lp_i / d eta_i^2) Z_i, Z_i the K x (d K + K) Jacobian of
// eta_i: block (k, l) is x^T diag(h_kl) x, h_kl = d^2 lp_i / d eta_ik d eta_il, so one read of
// x gives the Hessian that p forward-over-reverse sweeps (hessian()) would read x p times for.
// The numbers are the same up to rounding. Errors as the lpmf forms (bad y, shapes, NaN).
struct GlmDerivatives {
  double value = 0;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
};
GlmDerivatives bernoulli_logit_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                               const Eigen::RowVectorXd& b = Eigen::RowVectorXd());
GlmDerivatives poisson_log_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                           const Eigen::RowVectorXd& b = Eigen::RowVectorXd());
GlmDerivatives categorical_logit_glm_derivatives(const Eigen::VectorXi& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                                 const Eigen::RowVectorXd& b = Eigen::RowVectorXd());
// The normal sum with sigma held fixed: u = (vec(W), b). With log_sigma_too, sigma is a
// parameter too, as it is fitted, on the log scale: u = (vec(W), b, log sigma).
GlmDerivatives normal_id_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                         const Eigen::RowVectorXd& b, double sigma, bool log_sigma_too = false);

}  // namespace tapegrad
