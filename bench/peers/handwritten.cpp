// The hand-written references as benchmarks, and the plain double Student-t function (the
// denominator of every gradient / function ratio).

#include "handwritten.hpp"

#include "registry.hpp"
#include "student_t_loglik.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

const bool registered = [] {
  for (const LogisticSize& s : kLogisticSizes) {
    add_benchmark(s.name, "handwritten", [s](benchmark::State& state) {
      const LogisticProblem& p = logistic_problem(s.n, s.d);
      LogisticWork work;
      Eigen::VectorXd grad(s.d);
      for (auto _ : state) benchmark::DoNotOptimize(logistic_value_gradient(p, p.w, work, grad));
    });
  }
  add_benchmark(kSoftmaxName, "handwritten", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kSoftmaxN, kSoftmaxD, kSoftmaxK, false);
    SoftmaxWork work;
    for (auto _ : state) benchmark::DoNotOptimize(softmax_value_gradient(p, p.W, work));
  });
  add_benchmark(kStudentTName, "function", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const std::vector<double> theta = student_t_theta();
    for (auto _ : state) benchmark::DoNotOptimize(student_t_loglik(theta, d));
  });
  add_benchmark(kStudentTName, "handwritten", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const std::vector<double> theta = student_t_theta();
    double grad[4];
    for (auto _ : state) {
      benchmark::DoNotOptimize(student_t_value_gradient(theta, d, grad));
      benchmark::DoNotOptimize(grad);
    }
  });
  add_benchmark(kHessianName, "handwritten", [](benchmark::State& state) {
    const SoftmaxProblem& p = softmax_problem(kHessianN, kHessianD, kHessianK, true);
    for (auto _ : state) benchmark::DoNotOptimize(softmax_hessian(p, p.W)(0, 0));
  });
  add_check("student_t: double function value", [] {
    const StudentTData& d = student_t_data(kStudentTN);
    double grad[4];
    expect_close("student_t: double function value", student_t_loglik(student_t_theta(), d),
                 student_t_value_gradient(student_t_theta(), d, grad));
  });
  return true;
}();

}  // namespace
}  // namespace peers
