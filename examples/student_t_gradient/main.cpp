// A user's log-likelihood, written once, generic in its scalar type: robust regression with
// Student-t errors, y_i = a + b x_i + sigma t_nu. The engine gives the exact gradient and
// Hessian; the finite-difference check proves the gradient; the Hessian gives standard errors.
//
//   ./student_t_gradient            (exit status 1 if the check fails)

#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

struct Data {
  std::vector<double> x, y;
};

// theta = (a, b, log sigma, log nu): unconstrained, so any theta is valid.
template <class T>
T student_t_loglik(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& a = theta[0];
  const T& b = theta[1];
  const T sigma = exp(theta[2]);
  const T nu = exp(theta[3]);
  const double n = static_cast<double>(d.x.size());
  // Per-observation constants, hoisted out of the loop.
  T ll = n * (lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    ll -= (nu + 1) / 2 * log1p(tapegrad::square((d.y[i] - (a + b * d.x[i])) / sigma) / nu);
  }
  return ll;
}

int main() {
  Data data;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> unit(0.0, 1.0);
  std::student_t_distribution<double> noise(4.0);
  for (int i = 0; i < 500; ++i) {
    const double x = unit(rng);
    data.x.push_back(x);
    data.y.push_back(1.0 + 2.0 * x + 0.5 * noise(rng));
  }
  auto f = [&](const auto& theta) { return student_t_loglik(theta, data); };

  Eigen::VectorXd theta(4);
  theta << 0.8, 1.7, std::log(0.6), std::log(5.0);

  const auto [value, grad] = tapegrad::gradient(f, theta);
  std::printf("log-likelihood at theta: %.10g\n", value);
  std::printf("gradient:                [% .6g, % .6g, % .6g, % .6g]\n\n", grad[0], grad[1], grad[2], grad[3]);

  tapegrad::CheckOptions options;
  options.names = {"a", "b", "log_sigma", "log_nu"};
  const auto check = tapegrad::check_gradient(f, theta, options);
  std::cout << "gradient against finite differences:\n" << check << "\n";

  const Eigen::MatrixXd H = tapegrad::hessian(f, theta);
  std::cout << "exact Hessian:\n" << H << "\n";
  return check.passed ? 0 : 1;
}
