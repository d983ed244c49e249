#pragma once
// Private: the per-row terms of the Bernoulli (logit), Poisson (log rate) and categorical
// (logits) log densities over rows [0, n), defined in densities.cpp. The vectorised densities
// call them on a whole eta; the GLM nodes (glm.cpp) on one block of rows at a time, right after
// computing that block's eta = x W + b.
//
// Each returns sum_i lp_i and writes d[i] = d lp_i / d eta_i (for categorical, eta and d are
// n x k column-major). The double forms use SIMD Eigen arrays; the Dual forms take their values
// from the double forms and their tangents from the second derivatives below, so
// forward-over-reverse sees exact derivatives. A bad y makes the Bernoulli sum NaN (the caller
// names the row); Poisson counts and categorical labels are validated beforehand.
//
// The *_curvature functions write h[i] = d^2 lp_i / d eta_i^2 (the same for every y): the Dual
// forms' tangents and the GLM Hessians (glm.cpp) both use them.

#include <Eigen/Core>

#include "tapegrad/autodiff/dual.hpp"

namespace tapegrad::detail {

double bernoulli_forward(const double* y, Eigen::Index n, const double* eta, double* d);
Dual bernoulli_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d);

double poisson_forward(const double* y, Eigen::Index n, const double* eta, double* d);
Dual poisson_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d);
// Validates the counts (non-negative integers, naming the row) and returns sum_i log(y_i!).
double poisson_log_factorials(const char* function, const Eigen::VectorXd& y);

// -sigmoid(eta) sigmoid(-eta) = -t / (1 + t)^2 with t = e^-|eta|, which does not overflow.
void bernoulli_curvature(const double* eta, Eigen::Index n, double* h);
// -exp(eta).
void poisson_curvature(const double* eta, Eigen::Index n, double* h);

double categorical_forward(const int* y, const double* eta, Eigen::Index n, Eigen::Index k, double* d);
Dual categorical_forward(const int* y, const Dual* eta, Eigen::Index n, Eigen::Index k, Dual* d);

}  // namespace tapegrad::detail
