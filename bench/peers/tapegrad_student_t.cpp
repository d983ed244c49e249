// tapegrad on (c): the per-observation Student-t loop recorded on the scalar tape
// (tapegrad::gradient reuses its tape from one call to the next: clear, record, backward).

#include <tapegrad/autodiff.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "student_t_loglik.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

Eigen::VectorXd theta_vector() {
  const std::vector<double> t = student_t_theta();
  return Eigen::Map<const Eigen::VectorXd>(t.data(), 4);
}

const bool registered = [] {
  add_benchmark(kStudentTName, "tapegrad", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const Eigen::VectorXd theta = theta_vector();
    auto f = [&](const auto& th) { return student_t_loglik(th, d); };
    for (auto _ : state) {
      const tapegrad::GradientResult r = tapegrad::gradient(f, theta);
      benchmark::DoNotOptimize(r.value);
      benchmark::DoNotOptimize(r.gradient.data());
    }
  });
  add_check(std::string(kStudentTName) + ": tapegrad", [] {
    const StudentTData& d = student_t_data(kStudentTN);
    auto f = [&](const auto& th) { return student_t_loglik(th, d); };
    const tapegrad::GradientResult r = tapegrad::gradient(f, theta_vector());
    Eigen::Vector4d grad;
    const double value = student_t_value_gradient(student_t_theta(), d, grad.data());
    expect_close(std::string(kStudentTName) + ": tapegrad value", r.value, value);
    expect_close(std::string(kStudentTName) + ": tapegrad gradient", r.gradient, grad);
  });
  return true;
}();

}  // namespace
}  // namespace peers
