#pragma once
// The workloads' sizes and benchmark names, shared by every implementation and by the table.
// A benchmark is named "<workload>/<implementation>", e.g. "logistic_1M_20/torch".

#include <Eigen/Core>

namespace peers {

struct LogisticSize {
  Eigen::Index n, d;
  const char* name;
};
// (a) logistic regression value + gradient.
inline constexpr LogisticSize kLogisticSizes[] = {
    {100000, 10, "logistic_100k_10"}, {100000, 100, "logistic_100k_100"}, {1000000, 20, "logistic_1M_20"}};

// (b) softmax regression value + gradient: N = 50k, d = 20, K = 10 (200 parameters, no bias).
inline constexpr Eigen::Index kSoftmaxN = 50000, kSoftmaxD = 20, kSoftmaxK = 10;
inline constexpr const char* kSoftmaxName = "softmax_50k_20_10";

// (c) Student-t regression, a per-observation loop.
inline constexpr int kStudentTN = 100000;
inline constexpr const char* kStudentTName = "student_t_100k";

// (d) L-BFGS fit of the (1M, 20) logistic regression from zero to max |gradient| < tolerance
// (of the mean negative log-likelihood).
inline constexpr Eigen::Index kFitN = 1000000, kFitD = 20;
inline constexpr double kFitTolerance = 1e-8;
inline constexpr int kFitHistory = 10;  // L-BFGS correction pairs, both libraries
inline constexpr const char* kFitName = "fit_logistic_1M_20";

// (e) exact Hessian of a softmax regression mean NLL with 50 parameters: K = 5 classes,
// 9 features + bias = 10 coefficients per class, N = 10k.
inline constexpr Eigen::Index kHessianN = 10000, kHessianD = 10, kHessianK = 5;
inline constexpr const char* kHessianName = "hessian_softmax_50";

}  // namespace peers
