// LibTorch on (a) logistic and (b) softmax regression value + gradient: the losses as a
// LibTorch user writes them (binary_cross_entropy_with_logits, cross_entropy: mean reduction,
// numerically stable), gradient by torch::autograd::grad.

#include "handwritten.hpp"
#include "registry.hpp"
#include "torch_common.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

struct Logistic {
  torch::Tensor X, y, w;
  explicit Logistic(const LogisticProblem& p)
      : X(torch_view(p.X)), y(torch_view(p.y)), w(torch_view(p.w).clone().requires_grad_(true)) {}
  std::pair<double, torch::Tensor> value_gradient() const {
    const torch::Tensor loss = torch::binary_cross_entropy_with_logits(X.mv(w), y);
    torch::Tensor g = torch::autograd::grad({loss}, {w})[0];
    return {loss.item<double>(), g};
  }
};

struct Softmax {
  torch::Tensor X, y, W;  // W is K x d row-major: the same memory order as Eigen's d x K column-major
  explicit Softmax(const SoftmaxProblem& p)
      : X(torch_view(p.X)),
        y(torch_labels(p.y)),
        W(torch::from_blob(const_cast<double*>(p.W.data()), {p.W.cols(), p.W.rows()}, torch::kFloat64)
              .clone()
              .requires_grad_(true)) {}
  std::pair<double, torch::Tensor> value_gradient() const {
    const torch::Tensor loss = torch::nn::functional::cross_entropy(X.matmul(W.t()), y);
    torch::Tensor g = torch::autograd::grad({loss}, {W})[0];
    return {loss.item<double>(), g};
  }
};

const bool registered = [] {
  add_setup(torch_single_thread);
  for (const LogisticSize& s : kLogisticSizes) {
    add_benchmark(s.name, "torch", [s](benchmark::State& state) {
      const Logistic model(logistic_problem(s.n, s.d));
      for (auto _ : state) benchmark::DoNotOptimize(model.value_gradient());
    });
    add_check(std::string(s.name) + ": torch", [s] {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      const auto [value, g] = Logistic(p).value_gradient();
      LogisticWork work;
      Eigen::VectorXd grad(s.d);
      const double want = logistic_value_gradient(p, p.w, work, grad);
      expect_close(std::string(s.name) + ": torch value", value, want);
      expect_close(std::string(s.name) + ": torch gradient", to_eigen(g), grad);
    });
  }
  add_benchmark(kSoftmaxName, "torch", [](benchmark::State& state) {
    const Softmax model(softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false));
    for (auto _ : state) benchmark::DoNotOptimize(model.value_gradient());
  });
  add_check(std::string(kSoftmaxName) + ": torch", [] {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    const auto [value, g] = Softmax(p).value_gradient();
    SoftmaxWork work;
    const double want = softmax_value_gradient(p, p.W, work);
    expect_close(std::string(kSoftmaxName) + ": torch value", value, want);
    expect_close(std::string(kSoftmaxName) + ": torch gradient", to_eigen(g),
                 Eigen::Map<const Eigen::VectorXd>(work.grad.data(), work.grad.size()));
  });
  return true;
}();

}  // namespace
}  // namespace peers
