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
// rows), read only during the call. W: d x K; b: 1 x K, or omitted (no intercept). bernoulli and poisson have
// K = 1; categorical has one column of W per class.

#include <Eigen/Core>

#include "tapegrad/autodiff/matrix.hpp"

namespace tapegrad {

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

}  // namespace tapegrad
