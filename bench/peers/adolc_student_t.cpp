// ADOL-C on (c): the Student-t loop of student_t_loglik.hpp with T = adouble.
//   "adolc"              records the tape (trace_on, keeping Taylors) and sweeps back once
//                        (fos_reverse): what tapegrad::gradient does each call
//   "adolc_tape_reused"  the gradient() driver on the tape recorded once: a zero-order forward
//                        sweep and a reverse sweep, no recording (valid here: no branches)

#include <cmath>

#include <tapegrad/autodiff/special.hpp>

#include "adolc_common.hpp"
#include "handwritten.hpp"
#include "registry.hpp"
#include "student_t_loglik.hpp"
#include "workloads.hpp"

// ADOL-C 2.7 has neither lgamma nor log1p. lgamma enters as its tangent line at the current
// point: exact value and derivative there (it runs once per gradient, outside the loop).
inline adouble lgamma(const badouble& x) {
  const double v = x.getValue();
  return std::lgamma(v) + tapegrad::digamma(v) * (x - v);
}
inline adouble log1p(const badouble& x) { return log(1.0 + x); }

namespace peers {
namespace {

constexpr short kTag = 1;

double record(const std::vector<double>& x, const StudentTData& d, short tag, int keep) {
  adolc_trace_on(tag, keep);
  std::vector<adouble> theta(4);
  for (int i = 0; i < 4; ++i) theta[static_cast<std::size_t>(i)] <<= x[static_cast<std::size_t>(i)];
  adouble ll = student_t_loglik(theta, d);
  double value = 0;
  ll >>= value;
  trace_off();
  return value;
}

double record_and_reverse(const std::vector<double>& x, const StudentTData& d, double* grad) {
  const double value = record(x, d, kTag, 1);
  double weight = 1;
  fos_reverse(kTag, 1, 4, &weight, grad);
  return value;
}

const bool registered = [] {
  add_benchmark(kStudentTName, "adolc", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const std::vector<double> theta = student_t_theta();
    double grad[4];
    for (auto _ : state) {
      benchmark::DoNotOptimize(record_and_reverse(theta, d, grad));
      benchmark::DoNotOptimize(grad);
    }
  });
  add_benchmark(kStudentTName, "adolc_tape_reused", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    std::vector<double> theta = student_t_theta();
    record(theta, d, kTag + 1, 0);
    double grad[4];
    for (auto _ : state) {
      gradient(kTag + 1, 4, theta.data(), grad);
      benchmark::DoNotOptimize(grad);
    }
  });
  add_check(std::string(kStudentTName) + ": adolc", [] {
    const StudentTData& d = student_t_data(kStudentTN);
    std::vector<double> theta = student_t_theta();
    Eigen::Vector4d want, got, reused;
    const double value = student_t_value_gradient(theta, d, want.data());
    expect_close(std::string(kStudentTName) + ": adolc value", record_and_reverse(theta, d, got.data()), value);
    expect_close(std::string(kStudentTName) + ": adolc gradient (record + reverse)", got, want);
    record(theta, d, kTag + 1, 0);
    gradient(kTag + 1, 4, theta.data(), reused.data());
    expect_close(std::string(kStudentTName) + ": adolc gradient (tape reused)", reused, want);
  });
  return true;
}();

}  // namespace
}  // namespace peers
