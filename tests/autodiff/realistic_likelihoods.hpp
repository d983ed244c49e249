// Three real likelihoods for the finite-difference check's tests, each generic in its scalar type,
// on data simulated with a fixed seed: a covariate of about 60 (Weibull survival regression with
// censoring), a heavy-tailed density over 100,000 rows (Student-t regression), a mixture.
#pragma once
#include <tapegrad/autodiff.hpp>
#include <cmath>
#include <Eigen/Dense>
#include <random>
#include <vector>

namespace tapegrad_test::realistic {

// Weibull survival regression with right censoring; age ~ 62 years: theta = (b0, b_age, b_sex, log_shape).
struct Weibull {
  std::vector<double> t, age, sex, event;
  explicit Weibull(int n = 228) {
    std::mt19937_64 rng(7);
    std::normal_distribution<double> a(62, 9);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < n; ++i) {
      const double ag = std::round(a(rng)), sx = u(rng) < 0.4 ? 1 : 0;
      const double scale = std::exp(6.8 - 0.01 * ag + 0.4 * sx), shape = 1.3;
      const double time = scale * std::pow(-std::log(1 - u(rng)), 1 / shape);
      const double censor = 900 * u(rng) + 100;
      t.push_back(std::min(time, censor)); age.push_back(ag); sex.push_back(sx); event.push_back(time <= censor);
    }
  }
  std::size_t size() const { return t.size(); }
  template <class T> T row(const std::vector<T>& th, std::size_t i) const {
    using std::exp; using std::log;
    const T log_scale = th[0] + th[1] * age[i] + th[2] * sex[i];
    const T k = exp(th[3]);
    const T z = k * (log(t[i]) - log_scale);  // log (t / scale)^k
    const T log_surv = -exp(z);
    return event[i] ? T(th[3] - log_scale + (k - 1) * (log(t[i]) - log_scale) + log_surv) : log_surv;
  }
  std::vector<double> start() const { return {6.0, 0.0, 0.0, 0.0}; }
};

// Student-t regression over 100,000 rows: theta = (a, b, log_sigma, log_nu).
struct StudentT {
  std::vector<double> x, y;
  explicit StudentT(int n = 100000) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> g(0, 1);
    std::student_t_distribution<double> st(4);
    for (int i = 0; i < n; ++i) { x.push_back(2 * g(rng)); y.push_back(1 + 0.5 * x.back() + 0.7 * st(rng)); }
  }
  std::size_t size() const { return x.size(); }
  template <class T> T row(const std::vector<T>& th, std::size_t i) const {
    using std::exp; using std::log; using std::lgamma; using std::log1p;
    const T sigma = exp(th[2]), nu = exp(th[3]);
    const T z = (y[i] - th[0] - th[1] * x[i]) / sigma;
    return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * 3.141592653589793) - th[2] -
           (nu + 1) / 2 * log1p(z * z / nu);
  }
  std::vector<double> start() const { return {0.5, 0.3, -0.5, 1.0}; }
};

// Two-component normal mixture: theta = (logit_p, mu1, mu2, log_s1, log_s2).
struct Mixture {
  std::vector<double> y;
  explicit Mixture(int n = 2000) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> a(-1, 0.7), b(2.5, 1.2);
    std::uniform_real_distribution<double> u(0, 1);
    for (int i = 0; i < n; ++i) y.push_back(u(rng) < 0.35 ? a(rng) : b(rng));
  }
  std::size_t size() const { return y.size(); }
  template <class T> T row(const std::vector<T>& th, std::size_t i) const {
    using std::exp; using std::log;
    const T p = 1 / (1 + exp(-th[0]));
    const T z1 = (y[i] - th[1]) / exp(th[3]), z2 = (y[i] - th[2]) / exp(th[4]);
    const T l1 = log(p) - th[3] - 0.5 * z1 * z1, l2 = log(1 - p) - th[4] - 0.5 * z2 * z2;
    const T m = l1 > l2 ? l1 : l2;
    return m + log(exp(l1 - m) + exp(l2 - m)) - 0.9189385332046727;
  }
  std::vector<double> start() const { return {0.0, -0.5, 1.5, 0.0, 0.0}; }
};

// sum of rows [0, n): the log-likelihood (a total).
template <class Model, class T> T total(const Model& m, const std::vector<T>& th, std::size_t n) {
  T s = 0;
  for (std::size_t i = 0; i < n; ++i) s += m.row(th, i);
  return s;
}

// The MLE: Newton steps on the exact Hessian, damped Levenberg-Marquardt style (H + lambda I)
// while far from it; converged when the Newton decrement is at rounding level.
template <class Model> Eigen::VectorXd mle(const Model& m, Eigen::VectorXd x) {
  auto f = [&](const auto& th) { using T = typename std::decay_t<decltype(th)>::value_type; return -total<Model, T>(m, th, m.size()); };
  double lambda = 1e-3;
  for (int it = 0; it < 200; ++it) {
    const auto r = tapegrad::value_gradient_hessian(f, x);
    Eigen::MatrixXd a = r.hessian;
    a.diagonal().array() += lambda * (1 + r.hessian.diagonal().array().abs());
    const Eigen::VectorXd step = a.ldlt().solve(-r.gradient);
    const double decrement = -r.gradient.dot(step);
    const Eigen::VectorXd y = x + step;
    const double fy = tapegrad::gradient(f, y).value;
    if (std::isfinite(fy) && fy < r.value) {
      x = y;
      lambda = std::max(lambda / 10, 1e-12);
      if (decrement < 1e-20 * std::max(1.0, std::abs(r.value))) break;
    } else {
      lambda *= 10;
    }
  }
  return x;
}

}  // namespace tapegrad_test::realistic
