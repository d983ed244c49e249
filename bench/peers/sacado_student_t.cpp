// Sacado on (c): the Student-t loop of student_t_loglik.hpp with T = Sacado::Rad::ADvar<double>,
// Sacado's reverse mode (operator-overloading, one heap-pooled node per operation). Each call
// creates the inputs, evaluates, and runs Gradcomp(), which also recycles the node memory.

#include <cmath>

#include <Sacado_trad.hpp>

#include <tapegrad/autodiff/special.hpp>

#include "handwritten.hpp"
#include "registry.hpp"
#include "student_t_loglik.hpp"
#include "workloads.hpp"

// Sacado's Rad has neither lgamma nor log1p; added the way its own unary functions are written
// (value and local partial), found by argument-dependent lookup.
namespace Sacado::Rad {
template <typename Double>
ADvari<Double>& lgamma(const Base<ADvari<Double>>& vv) {
  const ADvari<Double>& v = vv.derived();
  return *(new ADvar1s<Double>(std::lgamma(v.Val), tapegrad::digamma(v.Val), &v));
}
template <typename Double>
ADvari<Double>& log1p(const Base<ADvari<Double>>& vv) {
  const ADvari<Double>& v = vv.derived();
  return *(new ADvar1s<Double>(std::log1p(v.Val), 1.0 / (1.0 + v.Val), &v));
}
}  // namespace Sacado::Rad

namespace peers {
namespace {

using ADvar = Sacado::Rad::ADvar<double>;

double value_gradient(const std::vector<double>& x, const StudentTData& d, double* grad) {
  std::vector<ADvar> theta(x.begin(), x.end());
  const ADvar ll = student_t_loglik(theta, d);
  const double value = ll.val();
  ADvar::Gradcomp();
  for (std::size_t i = 0; i < 4; ++i) grad[i] = theta[i].adj();
  return value;
}

const bool registered = [] {
  add_benchmark(kStudentTName, "sacado", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const std::vector<double> theta = student_t_theta();
    double grad[4];
    for (auto _ : state) {
      benchmark::DoNotOptimize(value_gradient(theta, d, grad));
      benchmark::DoNotOptimize(grad);
    }
  });
  add_check(std::string(kStudentTName) + ": sacado", [] {
    const StudentTData& d = student_t_data(kStudentTN);
    Eigen::Vector4d want, got;
    const double value = student_t_value_gradient(student_t_theta(), d, want.data());
    expect_close(std::string(kStudentTName) + ": sacado value", value_gradient(student_t_theta(), d, got.data()), value);
    expect_close(std::string(kStudentTName) + ": sacado gradient", got, want);
  });
  return true;
}();

}  // namespace
}  // namespace peers
