// LibTorch on (d): the (1M, 20) logistic regression fitted by torch::optim::LBFGS with its
// strong Wolfe line search, from zero, to max |gradient| <= the same tolerance as tapegrad's.

#include "handwritten.hpp"
#include "registry.hpp"
#include "torch_common.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

struct FitResult {
  Eigen::VectorXd x;
  double value;
  long iterations, evaluations;
};

FitResult fit() {
  const LogisticProblem& p = logistic_problem(kFitN, kFitD);
  const torch::Tensor X = torch_view(p.X), y = torch_view(p.y);
  torch::Tensor w = torch::zeros({kFitD}, torch::kFloat64).requires_grad_(true);
  torch::optim::LBFGS optimizer({w}, torch::optim::LBFGSOptions(1.0)
                                         .max_iter(1000)
                                         .tolerance_grad(kFitTolerance)
                                         .tolerance_change(0)  // stop on the gradient only
                                         .history_size(kFitHistory)
                                         .line_search_fn("strong_wolfe"));
  long evaluations = 0;
  auto closure = [&] {
    optimizer.zero_grad();
    torch::Tensor loss = torch::binary_cross_entropy_with_logits(X.mv(w), y);
    loss.backward();
    ++evaluations;
    return loss;
  };
  optimizer.step(closure);
  // The optimizer keeps its iteration count in the parameter's state.
  const auto& state = static_cast<const torch::optim::LBFGSParamState&>(
      *optimizer.state().at(c10::guts::to_string(w.unsafeGetTensorImpl())));
  torch::NoGradGuard no_grad;
  const double value = torch::binary_cross_entropy_with_logits(X.mv(w), y).item<double>();
  return {to_eigen(w), value, static_cast<long>(state.n_iter()), evaluations};
}

const bool registered = [] {
  add_setup(torch_single_thread);
  add_benchmark(kFitName, "torch", [](benchmark::State& state) {
    FitResult r;
    for (auto _ : state) r = fit();
    state.counters["iterations"] = static_cast<double>(r.iterations);
    state.counters["evaluations"] = static_cast<double>(r.evaluations);
  }, 1);
  add_check(std::string(kFitName) + ": torch", [] {
    const FitResult r = fit();
    const LogisticProblem& p = logistic_problem(kFitN, kFitD);
    LogisticWork work;
    Eigen::VectorXd grad(kFitD);
    const double value = logistic_value_gradient(p, r.x, work, grad);
    std::printf("  %-58s %ld iterations, %ld evaluations, max |gradient| %.2e\n", "fit: torch L-BFGS", r.iterations,
                r.evaluations, grad.cwiseAbs().maxCoeff());
    expect_close(std::string(kFitName) + ": torch final value", r.value, value);
    if (grad.cwiseAbs().maxCoeff() > 2 * kFitTolerance) {
      std::fprintf(stderr, "\nMISMATCH fit: LibTorch stopped at max |gradient| %.3e, not <= %g. Nothing is timed.\n",
                   grad.cwiseAbs().maxCoeff(), kFitTolerance);
      std::abort();
    }
  });
  return true;
}();

}  // namespace
}  // namespace peers
