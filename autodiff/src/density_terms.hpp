#pragma once
// Private: the per-row terms of the Bernoulli (logit), Poisson (log rate) and categorical
// (logits) log densities over rows [0, n), defined in densities.cpp. The vectorised densities
// call them on a whole eta; the GLM nodes (glm.cpp) on one block of rows at a time, right after
// computing that block's eta = x W + b.
//
// Each returns sum_i lp_i and writes d[i] = d lp_i / d eta_i (for categorical, eta and d are
// n x k column-major). The double forms use SIMD Eigen arrays; the Dual forms are plain loops
// over the same formulas, so forward-over-reverse sees exact derivatives. A bad y makes the
// Bernoulli sum NaN (the caller names the row); Poisson counts and categorical labels are
// validated beforehand.

#include <Eigen/Core>

#include "tapegrad/autodiff/dual.hpp"

namespace tapegrad::detail {

double bernoulli_forward(const double* y, Eigen::Index n, const double* eta, double* d);
Dual bernoulli_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d);

double poisson_forward(const double* y, Eigen::Index n, const double* eta, double* d);
Dual poisson_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d);
// Validates the counts (non-negative integers, naming the row) and returns sum_i log(y_i!).
double poisson_log_factorials(const char* function, const Eigen::VectorXd& y);

double categorical_forward(const int* y, const double* eta, Eigen::Index n, Eigen::Index k, double* d);
Dual categorical_forward(const int* y, const Dual* eta, Eigen::Index n, Eigen::Index k, Dual* d);

}  // namespace tapegrad::detail
