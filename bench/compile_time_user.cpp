// What a user's likelihood file looks like: the public header, one likelihood (the Student-t
// regression of scalar_student_t.cpp), its gradient and its Hessian. bench/compile_time.sh times
// compiling this file at -O2.
#include <cmath>
#include <vector>

#include <tapegrad/autodiff.hpp>

struct Data {
  std::vector<double> x, y;
};

// theta = (a, b, log sigma, nu).
template <class T>
T student_t_loglik(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& a = theta[0];
  const T& b = theta[1];
  const T sigma = exp(theta[2]);
  const T& nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  T ll = n * (lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const T z = (d.y[i] - (a + b * d.x[i])) / sigma;
    ll -= (nu + 1) / 2 * log1p(z * z / nu);
  }
  return ll;
}

// Observed information plus the outer product of the score: uses gradient and hessian.
Eigen::MatrixXd fit_information(const Data& d, const Eigen::VectorXd& theta) {
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  const auto g = tapegrad::gradient(f, theta);
  return tapegrad::hessian(f, theta) + g.gradient * g.gradient.transpose();
}
