// tapegrad on (e): the exact Hessian of the 50-parameter softmax regression mean NLL by
// tapegrad::hessian (forward-over-reverse: 50 Hessian-vector sweeps over dual numbers).

#include <tapegrad/autodiff.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

template <class Th>
auto softmax_mean_nll(const Th& th, const SoftmaxProblem& p) {
  const auto W = tapegrad::to_matrix(th, 0, p.X.cols(), p.classes());  // column-major: j + d k
  return -tapegrad::categorical_logit_lpmf(p.y, tapegrad::matmul(p.X, W)) / static_cast<double>(p.y.size());
}

const bool registered = [] {
  add_benchmark(kHessianName, "tapegrad", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    auto f = [&](const auto& th) { return softmax_mean_nll(th, p); };
    const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(p.W.data(), p.W.size());
    for (auto _ : state) benchmark::DoNotOptimize(tapegrad::hessian(f, w)(0, 0));
  });
  add_check(std::string(kHessianName) + ": tapegrad", [] {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    auto f = [&](const auto& th) { return softmax_mean_nll(th, p); };
    const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(p.W.data(), p.W.size());
    expect_close(std::string(kHessianName) + ": tapegrad Hessian", tapegrad::hessian(f, w), softmax_hessian(p, p.W));
  });
  return true;
}();

}  // namespace
}  // namespace peers
