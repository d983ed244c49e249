// tapegrad on (d): the (1M, 20) logistic regression fitted end to end by
// tapegrad::models::minimize (L-BFGS, strong Wolfe line search) from zero.

#include <stdexcept>

#include <tapegrad/autodiff.hpp>
#include <tapegrad/models/optimizer.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

// The mean NLL as the optimizers see it; the fit needs value and gradient only.
class LogisticObjective final : public tapegrad::models::Objective {
 public:
  explicit LogisticObjective(const LogisticProblem& p) : p_(p) {}
  Eigen::Index dimension() const override { return p_.X.cols(); }
  std::size_t observations() const override { return static_cast<std::size_t>(p_.X.rows()); }
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override {
    auto f = [&](const auto& th) {
      const auto w = tapegrad::to_matrix(th, 0, p_.X.cols(), 1);
      return -tapegrad::bernoulli_logit_lpmf(p_.y, tapegrad::matmul(p_.X, w)) / static_cast<double>(p_.y.size());
    };
    tapegrad::GradientResult r = tapegrad::gradient(f, x);
    g = std::move(r.gradient);
    return r.value;
  }
  double batch_value_gradient(const Eigen::VectorXd&, const std::vector<std::size_t>&, Eigen::VectorXd&) override {
    throw std::logic_error("LogisticObjective: full-batch L-BFGS only");
  }
  Eigen::MatrixXd hessian(const Eigen::VectorXd&) override {
    throw std::logic_error("LogisticObjective: L-BFGS needs no Hessian");
  }

 private:
  const LogisticProblem& p_;
};

tapegrad::models::OptimizerResult fit() {
  LogisticObjective objective(logistic_problem(kFitN, kFitD));
  tapegrad::models::OptimizerOptions options;
  options.method = "lbfgs";
  options.tolerance = kFitTolerance;
  options.memory = kFitHistory;
  options.max_iterations = 1000;
  return tapegrad::models::minimize(objective, Eigen::VectorXd::Zero(kFitD), options);
}

const bool registered = [] {
  add_benchmark(kFitName, "tapegrad", [](benchmark::State& state) {
    tapegrad::models::OptimizerResult r;
    for (auto _ : state) r = fit();
    state.counters["iterations"] = r.iterations;
    state.counters["evaluations"] = r.evaluations;
  }, 1);
  add_check(std::string(kFitName) + ": tapegrad", [] {
    const tapegrad::models::OptimizerResult r = fit();
    const LogisticProblem& p = logistic_problem(kFitN, kFitD);
    LogisticWork work;
    Eigen::VectorXd grad(kFitD);
    const double value = logistic_value_gradient(p, r.x, work, grad);
    std::printf("  %-58s %d iterations, %d evaluations, %s\n", "fit: tapegrad L-BFGS", r.iterations, r.evaluations,
                r.message.c_str());
    expect_close(std::string(kFitName) + ": tapegrad final value", r.value, value);
    if (r.status != tapegrad::models::OptimizerStatus::converged || grad.cwiseAbs().maxCoeff() >= kFitTolerance) {
      std::fprintf(stderr, "\nMISMATCH fit: tapegrad did not reach max |gradient| < %g (hand-written gradient "
                   "at its result: %.3e). Nothing is timed.\n", kFitTolerance, grad.cwiseAbs().maxCoeff());
      std::abort();
    }
  });
  return true;
}();

}  // namespace
}  // namespace peers
