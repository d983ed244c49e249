// ADOL-C on (e): the softmax regression mean NLL as scalar code over adouble, recorded once
// per call, and ADOL-C's hessian() driver (second-order adjoints along the 50 unit vectors).

#include <algorithm>
#include <vector>

#include "adolc_common.hpp"
#include "handwritten.hpp"
#include "registry.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

constexpr short kTag = 3;

// Parameters column-major: w[j + d k] = W(j, k). The log-sum-exp is shifted by the largest
// logit's value, a constant (exact for any shift, and no branch on the tape).
adouble softmax_mean_nll(const std::vector<adouble>& w, const SoftmaxProblem& p) {
  const Eigen::Index n = p.X.rows(), d = p.X.cols(), K = p.classes();
  std::vector<adouble> eta(static_cast<std::size_t>(K));
  adouble total = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    double shift = -1e300;
    for (Eigen::Index k = 0; k < K; ++k) {
      adouble e = p.X(i, 0) * w[static_cast<std::size_t>(d * k)];
      for (Eigen::Index j = 1; j < d; ++j) e += p.X(i, j) * w[static_cast<std::size_t>(j + d * k)];
      eta[static_cast<std::size_t>(k)] = e;
      shift = std::max(shift, e.getValue());
    }
    adouble s = exp(eta[0] - shift);
    for (Eigen::Index k = 1; k < K; ++k) s += exp(eta[static_cast<std::size_t>(k)] - shift);
    total += log(s) + shift - eta[static_cast<std::size_t>(p.y[i])];
  }
  return total / static_cast<double>(n);
}

Eigen::MatrixXd hessian(const SoftmaxProblem& p) {
  const int n = static_cast<int>(p.W.size());
  std::vector<double> x(p.W.data(), p.W.data() + n);
  adolc_trace_on(kTag, 0);
  std::vector<adouble> w(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] <<= x[static_cast<std::size_t>(i)];
  adouble f = softmax_mean_nll(w, p);
  double value = 0;
  f >>= value;
  trace_off();
  std::vector<double> storage(static_cast<std::size_t>(n) * n);
  std::vector<double*> rows(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) rows[static_cast<std::size_t>(i)] = storage.data() + static_cast<std::size_t>(i) * n;
  ::hessian(kTag, n, x.data(), rows.data());  // lower triangle
  Eigen::MatrixXd H(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) H(i, j) = H(j, i) = rows[static_cast<std::size_t>(i)][j];
  return H;
}

const bool registered = [] {
  add_benchmark(kHessianName, "adolc", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    for (auto _ : state) benchmark::DoNotOptimize(hessian(p)(0, 0));
  });
  add_check(std::string(kHessianName) + ": adolc", [] {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    expect_close(std::string(kHessianName) + ": adolc Hessian", hessian(p), softmax_hessian(p, p.W));
  });
  return true;
}();

}  // namespace
}  // namespace peers
