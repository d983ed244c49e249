// What a user's likelihood file looks like: the public header, one likelihood, its gradient and
// Hessian. bench/compile_time.sh times compiling this file at -O2.
#include <cmath>
#include <vector>

#include <tapegrad/autodiff.hpp>

struct Data {
  std::vector<double> x, y;
};

template <class T>
T student_t_loglik(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T sigma = exp(theta[2]), nu = exp(theta[3]);
  T ll = static_cast<double>(d.x.size()) * (lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i)
    ll -= (nu + 1) / 2 * log1p(tapegrad::square((d.y[i] - (theta[0] + theta[1] * d.x[i])) / sigma) / nu);
  return ll;
}

Eigen::MatrixXd fit_information(const Data& d, const Eigen::VectorXd& theta) {
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  const auto g = tapegrad::gradient(f, theta);
  return tapegrad::hessian(f, theta) + g.gradient * g.gradient.transpose();
}
