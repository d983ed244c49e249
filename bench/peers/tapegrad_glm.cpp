// tapegrad on the matrix workloads: (a) logistic and (b) softmax regression value + gradient,
// written with matrix nodes as a user writes them.

#include <tapegrad/autodiff.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

template <class Th>
auto logistic_mean_nll(const Th& th, const LogisticProblem& p) {
  const auto w = tapegrad::to_matrix(th, 0, p.X.cols(), 1);
  return -tapegrad::bernoulli_logit_lpmf(p.y, tapegrad::matmul(p.X, w)) / static_cast<double>(p.y.size());
}

template <class Th>
auto softmax_mean_nll(const Th& th, const SoftmaxProblem& p) {
  const auto W = tapegrad::to_matrix(th, 0, p.X.cols(), p.classes());  // column-major: j + d k
  return -tapegrad::categorical_logit_lpmf(p.y, tapegrad::matmul(p.X, W)) / static_cast<double>(p.y.size());
}

Eigen::VectorXd flat(const Eigen::MatrixXd& m) { return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); }

const bool registered = [] {
  for (const LogisticSize& s : kLogisticSizes) {
    add_benchmark(s.name, "tapegrad", [s](benchmark::State& state) {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      auto f = [&](const auto& th) { return logistic_mean_nll(th, p); };
      for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.w).gradient[0]);
    });
    add_check(std::string(s.name) + ": tapegrad", [s] {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      auto f = [&](const auto& th) { return logistic_mean_nll(th, p); };
      const tapegrad::GradientResult r = tapegrad::gradient(f, p.w);
      LogisticWork work;
      Eigen::VectorXd grad(s.d);
      const double value = logistic_value_gradient(p, p.w, work, grad);
      expect_close(std::string(s.name) + ": tapegrad value", r.value, value);
      expect_close(std::string(s.name) + ": tapegrad gradient", r.gradient, grad);
    });
  }
  add_benchmark(kSoftmaxName, "tapegrad", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    auto f = [&](const auto& th) { return softmax_mean_nll(th, p); };
    const Eigen::VectorXd w = flat(p.W);
    for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, w).gradient[0]);
  });
  add_check(std::string(kSoftmaxName) + ": tapegrad", [] {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    auto f = [&](const auto& th) { return softmax_mean_nll(th, p); };
    const tapegrad::GradientResult r = tapegrad::gradient(f, flat(p.W));
    SoftmaxWork work;
    const double value = softmax_value_gradient(p, p.W, work);
    expect_close(std::string(kSoftmaxName) + ": tapegrad value", r.value, value);
    expect_close(std::string(kSoftmaxName) + ": tapegrad gradient", r.gradient, flat(work.grad));
  });
  return true;
}();

}  // namespace
}  // namespace peers
