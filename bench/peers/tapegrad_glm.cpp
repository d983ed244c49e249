// tapegrad on the matrix workloads: (a) logistic and (b) softmax regression value + gradient.

#include <tapegrad/autodiff.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

// Two forms of each: matrix nodes as a user composes them (the product, then the density), and
// the fused GLM node (glm.hpp), which reads X once and keeps only the d x K gradient.
template <class Th>
auto logistic_mean_nll(const Th& th, const LogisticProblem& p) {
  const auto w = tapegrad::to_matrix(th, 0, p.X.cols(), 1);
  return -tapegrad::bernoulli_logit_lpmf(p.y, tapegrad::matmul(p.X, w)) / static_cast<double>(p.y.size());
}
template <class Th>
auto logistic_mean_nll_glm(const Th& th, const LogisticProblem& p) {
  const auto w = tapegrad::to_matrix(th, 0, p.X.cols(), 1);
  return -tapegrad::bernoulli_logit_glm_lpmf(p.y, tapegrad::data_view(p.X), w) / static_cast<double>(p.y.size());
}

template <class Th>
auto softmax_mean_nll(const Th& th, const SoftmaxProblem& p) {
  const auto W = tapegrad::to_matrix(th, 0, p.X.cols(), p.classes());  // column-major: j + d k
  return -tapegrad::categorical_logit_lpmf(p.y, tapegrad::matmul(p.X, W)) / static_cast<double>(p.y.size());
}
template <class Th>
auto softmax_mean_nll_glm(const Th& th, const SoftmaxProblem& p) {
  const auto W = tapegrad::to_matrix(th, 0, p.X.cols(), p.classes());
  return -tapegrad::categorical_logit_glm_lpmf(p.y, tapegrad::data_view(p.X), W) / static_cast<double>(p.y.size());
}

Eigen::VectorXd flat(const Eigen::MatrixXd& m) { return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size()); }

// Registers one form (`impl`) of both workloads: its check against the hand-written gradient and
// its benchmark.
template <class Logistic, class Softmax>
void register_forms(const std::string& impl, Logistic logistic, Softmax softmax) {
  for (const LogisticSize& s : kLogisticSizes) {
    add_benchmark(s.name, impl, [s, logistic](benchmark::State& state) {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      auto f = [&](const auto& th) { return logistic(th, p); };
      for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.w).gradient[0]);
    });
    add_check(std::string(s.name) + ": " + impl, [s, impl, logistic] {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      auto f = [&](const auto& th) { return logistic(th, p); };
      const tapegrad::GradientResult r = tapegrad::gradient(f, p.w);
      LogisticWork work;
      Eigen::VectorXd grad(s.d);
      const double value = logistic_value_gradient(p, p.w, work, grad);
      expect_close(std::string(s.name) + ": " + impl + " value", r.value, value);
      expect_close(std::string(s.name) + ": " + impl + " gradient", r.gradient, grad);
    });
  }
  add_benchmark(kSoftmaxName, impl, [softmax](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    auto f = [&](const auto& th) { return softmax(th, p); };
    const Eigen::VectorXd w = flat(p.W);
    for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, w).gradient[0]);
  });
  add_check(std::string(kSoftmaxName) + ": " + impl, [impl, softmax] {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    auto f = [&](const auto& th) { return softmax(th, p); };
    const tapegrad::GradientResult r = tapegrad::gradient(f, flat(p.W));
    SoftmaxWork work;
    const double value = softmax_value_gradient(p, p.W, work);
    expect_close(std::string(kSoftmaxName) + ": " + impl + " value", r.value, value);
    expect_close(std::string(kSoftmaxName) + ": " + impl + " gradient", r.gradient, flat(work.grad));
  });
}

const bool registered = [] {
  register_forms(
      "tapegrad", [](const auto& th, const LogisticProblem& p) { return logistic_mean_nll(th, p); },
      [](const auto& th, const SoftmaxProblem& p) { return softmax_mean_nll(th, p); });
  register_forms(
      "tapegrad_glm", [](const auto& th, const LogisticProblem& p) { return logistic_mean_nll_glm(th, p); },
      [](const auto& th, const SoftmaxProblem& p) { return softmax_mean_nll_glm(th, p); });
  return true;
}();

}  // namespace
}  // namespace peers
