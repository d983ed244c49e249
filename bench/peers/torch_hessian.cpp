// LibTorch on (e): the exact Hessian of the 50-parameter softmax regression mean NLL. The C++
// API has no torch::autograd::functional::hessian (that is Python only), so this is what it
// does: a gradient with create_graph, then torch::autograd::grad of each of its 50 entries,
// one Hessian row per backward pass through the double-backward graph.

#include "handwritten.hpp"
#include "registry.hpp"
#include "torch_common.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

torch::Tensor hessian(const SoftmaxProblem& p, const torch::Tensor& X, const torch::Tensor& y) {
  const torch::Tensor W =
      torch::from_blob(const_cast<double*>(p.W.data()), {p.W.cols(), p.W.rows()}, torch::kFloat64)
          .clone()
          .requires_grad_(true);  // K x d row-major: parameter k d + j, as Eigen's column-major W
  const torch::Tensor loss = torch::nn::functional::cross_entropy(X.matmul(W.t()), y);
  const torch::Tensor g = torch::autograd::grad({loss}, {W}, {}, true, true)[0].reshape({-1});
  const int64_t n = g.size(0);
  torch::Tensor H = torch::empty({n, n}, torch::kFloat64);
  for (int64_t i = 0; i < n; ++i) H[i] = torch::autograd::grad({g[i]}, {W}, {}, true)[0].reshape({-1});
  return H;
}

const bool registered = [] {
  add_setup(torch_single_thread);
  add_benchmark(kHessianName, "torch", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    const torch::Tensor X = torch_view(p.X), y = torch_labels(p.y);
    for (auto _ : state) benchmark::DoNotOptimize(hessian(p, X, y));
  });
  add_check(std::string(kHessianName) + ": torch", [] {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    const torch::Tensor H = hessian(p, torch_view(p.X), torch_labels(p.y));
    const Eigen::MatrixXd h = Eigen::Map<const Eigen::MatrixXd>(H.contiguous().data_ptr<double>(), H.size(0), H.size(1));
    expect_close(std::string(kHessianName) + ": torch Hessian", h, softmax_hessian(p, p.W));
  });
  return true;
}();

}  // namespace
}  // namespace peers
