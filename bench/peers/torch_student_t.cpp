// LibTorch on (c): the Student-t likelihood as the same per-observation loop over 0-d tensors
// (what "scalar user code" means in LibTorch: one autograd node per operation), and, for
// scale, the vectorised form a LibTorch user would write instead.

#include "handwritten.hpp"
#include "registry.hpp"
#include "student_t_loglik.hpp"
#include "torch_common.hpp"
#include "workloads.hpp"

namespace peers {
namespace {

torch::Tensor theta_tensor() {
  const std::vector<double> t = student_t_theta();
  return torch::tensor(t, torch::kFloat64).requires_grad_(true);
}

// The loop, op for op as in student_t_loglik.hpp.
torch::Tensor loglik_loop(const torch::Tensor& theta, const StudentTData& d) {
  const torch::Tensor a = theta[0], b = theta[1], sigma = torch::exp(theta[2]), nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  torch::Tensor ll = n * (torch::lgamma((nu + 1.0) / 2.0) - torch::lgamma(nu / 2.0) - 0.5 * torch::log(nu * M_PI) -
                          torch::log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const torch::Tensor z = (d.y[i] - (a + b * d.x[i])) / sigma;
    ll = ll - (nu + 1.0) / 2.0 * torch::log1p(z * z / nu);
  }
  return ll;
}

torch::Tensor loglik_vectorized(const torch::Tensor& theta, const torch::Tensor& x, const torch::Tensor& y) {
  const torch::Tensor a = theta[0], b = theta[1], sigma = torch::exp(theta[2]), nu = theta[3];
  const double n = static_cast<double>(x.size(0));
  const torch::Tensor z = (y - (a + b * x)) / sigma;
  return n * (torch::lgamma((nu + 1.0) / 2.0) - torch::lgamma(nu / 2.0) - 0.5 * torch::log(nu * M_PI) -
              torch::log(sigma)) -
         ((nu + 1.0) / 2.0 * torch::log1p(z * z / nu)).sum();
}

torch::Tensor vector_tensor(const std::vector<double>& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat64);
}

void check(const std::string& what, const torch::Tensor& theta, const torch::Tensor& ll) {
  const torch::Tensor g = torch::autograd::grad({ll}, {theta})[0];
  Eigen::Vector4d grad;
  const double want = student_t_value_gradient(student_t_theta(), student_t_data(kStudentTN), grad.data());
  expect_close(what + " value", ll.item<double>(), want);
  expect_close(what + " gradient", to_eigen(g), grad);
}

const bool registered = [] {
  add_setup(torch_single_thread);
  // Tens of seconds per gradient: one iteration per repetition, three repetitions.
  add_benchmark(kStudentTName, "torch", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const torch::Tensor theta = theta_tensor();
    for (auto _ : state) {
      const torch::Tensor ll = loglik_loop(theta, d);
      benchmark::DoNotOptimize(torch::autograd::grad({ll}, {theta})[0]);
    }
  }, 1)->Repetitions(3);
  add_benchmark(kStudentTName, "torch_vectorized", [](benchmark::State& state) {
    const StudentTData& d = student_t_data(kStudentTN);
    const torch::Tensor theta = theta_tensor(), x = vector_tensor(d.x), y = vector_tensor(d.y);
    for (auto _ : state) {
      const torch::Tensor ll = loglik_vectorized(theta, x, y);
      benchmark::DoNotOptimize(torch::autograd::grad({ll}, {theta})[0]);
    }
  });
  add_check(std::string(kStudentTName) + ": torch", [] {
    const StudentTData& d = student_t_data(kStudentTN);
    const torch::Tensor theta = theta_tensor();
    check(std::string(kStudentTName) + ": torch loop", theta, loglik_loop(theta, d));
    check(std::string(kStudentTName) + ": torch vectorised", theta,
          loglik_vectorized(theta, vector_tensor(d.x), vector_tensor(d.y)));
  });
  return true;
}();

}  // namespace
}  // namespace peers
