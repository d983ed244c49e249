// gradient, hessian, hessian_vector and value_gradient_hessian against derivatives worked out
// by hand, for the ways a user writes f: a std::vector or an Eigen vector, returning a Var or an
// expression, with loops, special functions, no parameters at all.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "tapegrad/autodiff.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;

// Entrywise a == b within rel of the largest entry of b (exact derivatives: rounding only).
bool matches(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double rel = 1e-13) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  return (a - b).cwiseAbs().maxCoeff() <= rel * std::max(1.0, b.cwiseAbs().maxCoeff());
}

// The extended Rosenbrock function: sum_i (1 - x_i)^2 + 100 (x_{i+1} - x_i^2)^2.
template <class T>
T rosenbrock(const std::vector<T>& x) {
  T f = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    f += tapegrad::square(1 - x[i]) + 100 * tapegrad::square(x[i + 1] - x[i] * x[i]);
  }
  return f;
}
Eigen::VectorXd rosenbrock_gradient(const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  Eigen::VectorXd g = Eigen::VectorXd::Zero(n);
  for (Eigen::Index i = 0; i + 1 < n; ++i) {
    const double r = x[i + 1] - x[i] * x[i];
    g[i] += -2 * (1 - x[i]) - 400 * x[i] * r;
    g[i + 1] += 200 * r;
  }
  return g;
}
Eigen::MatrixXd rosenbrock_hessian(const Eigen::VectorXd& x) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i + 1 < n; ++i) {
    h(i, i) += 2 - 400 * x[i + 1] + 1200 * x[i] * x[i];
    h(i, i + 1) = h(i + 1, i) = -400 * x[i];
    h(i + 1, i + 1) += 200;
  }
  return h;
}

// Student-t log-likelihood of data y, theta = (mu, s = log sigma, nu):
//   sum_i lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - s - (nu+1)/2 log(1 + z_i^2/nu),
//   z_i = (y_i - mu) / sigma.
const std::vector<double> kData{-1.3, 0.2, 0.9, 2.7, 4.1, -0.4, 1.6};

template <class T>
T student_t_loglik(const std::vector<T>& th) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& mu = th[0];
  const T sigma = exp(th[1]);
  const T& nu = th[2];
  T ll = 0;
  for (double y : kData) {
    const T z = (y - mu) / sigma;
    ll += lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * kPi) - th[1] - (nu + 1) / 2 * log1p(z * z / nu);
  }
  return ll;
}

// By hand, with w = nu + z^2:
//   d/dmu = sum (nu+1) z / (sigma w)
//   d/ds  = sum -1 + (nu+1) z^2 / w
//   d/dnu = sum psi((nu+1)/2)/2 - psi(nu/2)/2 - 1/(2nu) - log(1 + z^2/nu)/2 + (nu+1) z^2 / (2 nu w)
Eigen::VectorXd student_t_gradient(const Eigen::VectorXd& th) {
  const double mu = th[0], sigma = std::exp(th[1]), nu = th[2];
  Eigen::VectorXd g = Eigen::VectorXd::Zero(3);
  for (double y : kData) {
    const double z = (y - mu) / sigma, z2 = z * z, w = nu + z2;
    g[0] += (nu + 1) * z / (sigma * w);
    g[1] += -1 + (nu + 1) * z2 / w;
    g[2] += 0.5 * tapegrad::digamma((nu + 1) / 2) - 0.5 * tapegrad::digamma(nu / 2) - 0.5 / nu -
            0.5 * std::log1p(z2 / nu) + (nu + 1) * z2 / (2 * nu * w);
  }
  return g;
}

// Four Hessian entries by hand (the two mixed ones with nu are checked against differences of
// the hand gradient instead):
//   d2/dmu2  = sum (nu+1)(z^2 - nu) / (sigma^2 w^2)
//   d2/ds2   = sum -2 nu (nu+1) z^2 / w^2
//   d2/dmuds = sum -2 nu (nu+1) z / (sigma w^2)
//   d2/dnu2  = sum psi1((nu+1)/2)/4 - psi1(nu/2)/4 + 1/(2nu^2) + z^2/(2 nu w)
//                  - z^2 (nu^2 + 2nu + z^2) / (2 nu^2 w^2)
Eigen::Matrix2d student_t_hessian_mu_s(const Eigen::VectorXd& th, double* h_nunu) {
  const double mu = th[0], sigma = std::exp(th[1]), nu = th[2];
  Eigen::Matrix2d h = Eigen::Matrix2d::Zero();
  *h_nunu = 0;
  for (double y : kData) {
    const double z = (y - mu) / sigma, z2 = z * z, w = nu + z2;
    h(0, 0) += (nu + 1) * (z2 - nu) / (sigma * sigma * w * w);
    h(1, 1) += -2 * nu * (nu + 1) * z2 / (w * w);
    h(0, 1) += -2 * nu * (nu + 1) * z / (sigma * w * w);
    *h_nunu += 0.25 * tapegrad::trigamma((nu + 1) / 2) - 0.25 * tapegrad::trigamma(nu / 2) + 0.5 / (nu * nu) +
               z2 / (2 * nu * w) - z2 * (nu * nu + 2 * nu + z2) / (2 * nu * nu * w * w);
  }
  h(1, 0) = h(0, 1);
  return h;
}

// A model that takes an Eigen vector (a functor, so the drivers can pick the scalar type):
// f = x0^2 x1 + sin(x2) exp(x0).
struct EigenModel {
  template <class T>
  T operator()(const Eigen::Matrix<T, Eigen::Dynamic, 1>& x) const {
    using std::exp;
    using std::sin;
    return x[0] * x[0] * x[1] + sin(x[2]) * exp(x[0]);
  }
};

}  // namespace

TEST_CASE("drivers: Rosenbrock in 2 dimensions, by hand", "[drivers]") {
  auto f = [](const auto& x) { return rosenbrock(x); };
  for (const auto& p : std::vector<std::vector<double>>{{-1.2, 1.0}, {1.0, 1.0}, {0.3, -0.7}, {2.0, 3.0}}) {
    const Eigen::Vector2d x(p[0], p[1]);
    CAPTURE(x.transpose());
    const tapegrad::GradientResult g = tapegrad::gradient(f, x);
    const double r = x[1] - x[0] * x[0];
    CHECK(g.value == Approx((1 - x[0]) * (1 - x[0]) + 100 * r * r).epsilon(1e-15));
    const Eigen::Vector2d expected(-2 * (1 - x[0]) - 400 * x[0] * r, 200 * r);
    CHECK(matches(g.gradient, expected));
    Eigen::Matrix2d h;
    h << 2 - 400 * x[1] + 1200 * x[0] * x[0], -400 * x[0], -400 * x[0], 200;
    CHECK(matches(tapegrad::hessian(f, x), h));
  }
  // At the minimum the gradient is exactly zero.
  const tapegrad::GradientResult at_min = tapegrad::gradient(f, Eigen::Vector2d(1.0, 1.0));
  CHECK(at_min.value == 0.0);
  CHECK(at_min.gradient.isZero(0.0));
}

TEST_CASE("drivers: extended Rosenbrock, all four drivers agree with the hand derivatives", "[drivers]") {
  auto f = [](const auto& x) { return rosenbrock(x); };
  Eigen::VectorXd x(6);
  x << -1.2, 1.0, 0.4, -0.3, 1.7, 0.9;
  Eigen::VectorXd v(6);
  v << 0.5, -1.0, 2.0, 0.25, -0.75, 1.5;
  const Eigen::VectorXd g = rosenbrock_gradient(x);
  const Eigen::MatrixXd h = rosenbrock_hessian(x);

  const tapegrad::GradientResult first = tapegrad::gradient(f, x);
  CHECK(matches(first.gradient, g));
  const tapegrad::HessianResult all = tapegrad::value_gradient_hessian(f, x);
  CHECK(all.value == first.value);
  CHECK(matches(all.gradient, g));
  CHECK(matches(all.hessian, h));
  CHECK(all.hessian == all.hessian.transpose());
  CHECK(matches(tapegrad::hessian(f, x), h));
  CHECK(matches(tapegrad::hessian_vector(f, x, v), h * v));
  // Along a unit vector H v is a column of H.
  CHECK(matches(tapegrad::hessian_vector(f, x, Eigen::VectorXd::Unit(6, 2)), h.col(2)));
}

TEST_CASE("drivers: Student-t log-likelihood in (mu, log sigma, nu), by hand", "[drivers]") {
  auto f = [](const auto& th) { return student_t_loglik(th); };
  for (const auto& p : std::vector<std::vector<double>>{{0.8, std::log(1.3), 4.0}, {-0.5, -0.2, 1.5}, {2.0, 0.7, 30.0}}) {
    const Eigen::Vector3d th(p[0], p[1], p[2]);
    CAPTURE(th.transpose());
    const tapegrad::HessianResult r = tapegrad::value_gradient_hessian(f, th);
    CHECK(r.value == Approx(student_t_loglik(p)).epsilon(1e-14));
    // The gradient: digamma and log1p by hand, the tape through lgamma and the loop.
    CHECK(matches(r.gradient, student_t_gradient(th), 1e-12));
    CHECK(matches(tapegrad::gradient(f, th).gradient, student_t_gradient(th), 1e-12));
    double h_nunu = 0;
    const Eigen::Matrix2d h_mu_s = student_t_hessian_mu_s(th, &h_nunu);
    CHECK(matches(r.hessian.topLeftCorner(2, 2), h_mu_s, 1e-12));
    CHECK(r.hessian(2, 2) == Approx(h_nunu).epsilon(1e-12));
    // All nine entries against central differences of the hand gradient (independent of the tape).
    const tapegrad::CheckReport check = tapegrad::compare_hessian(student_t_gradient, th, r.hessian);
    INFO(check.table());
    CHECK(check.passed);
  }
}

TEST_CASE("drivers: a function of an Eigen vector", "[drivers]") {
  const EigenModel f;
  const Eigen::Vector3d x(0.6, -1.4, 2.1);
  // f = x0^2 x1 + sin(x2) e^x0
  const double e = std::exp(x[0]), s = std::sin(x[2]), c = std::cos(x[2]);
  const Eigen::Vector3d g(2 * x[0] * x[1] + s * e, x[0] * x[0], c * e);
  Eigen::Matrix3d h;
  h << 2 * x[1] + s * e, 2 * x[0], c * e,  //
      2 * x[0], 0, 0,                      //
      c * e, 0, -s * e;
  const tapegrad::GradientResult r = tapegrad::gradient(f, x);
  CHECK(r.value == Approx(x[0] * x[0] * x[1] + s * e).epsilon(1e-15));
  CHECK(matches(r.gradient, g));
  CHECK(matches(tapegrad::hessian(f, x), h));
  const Eigen::Vector3d v(1.0, -2.0, 0.5);
  CHECK(matches(tapegrad::hessian_vector(f, x, v), h * v));
  // The same f written over std::vector gives the same numbers, bit for bit.
  auto same = [](const auto& y) {
    using std::exp;
    using std::sin;
    return y[0] * y[0] * y[1] + sin(y[2]) * exp(y[0]);
  };
  CHECK(tapegrad::gradient(same, x).gradient == r.gradient);
}

TEST_CASE("drivers: a generic lambda that returns an expression", "[drivers]") {
  auto product = [](const auto& x) { return x[0] * x[1]; };  // an expression type for Var, HVar
  const Eigen::Vector2d x(1.5, -2.5);
  const tapegrad::HessianResult r = tapegrad::value_gradient_hessian(product, x);
  CHECK(r.value == -3.75);
  CHECK(r.gradient == Eigen::Vector2d(-2.5, 1.5));
  Eigen::Matrix2d h;
  h << 0, 1, 1, 0;
  CHECK(r.hessian == h);
  CHECK(tapegrad::gradient(product, x).gradient == Eigen::Vector2d(-2.5, 1.5));
  CHECK(tapegrad::hessian_vector(product, x, Eigen::Vector2d(2.0, 3.0)) == Eigen::Vector2d(3.0, 2.0));

  // A longer expression, still one statement: exp(x0) x1 - x0 / x1.
  auto expr = [](const auto& y) {
    using std::exp;
    return exp(y[0]) * y[1] - y[0] / y[1];
  };
  const double e = std::exp(x[0]);
  Eigen::Matrix2d he;
  he << e * x[1], e + 1 / (x[1] * x[1]), e + 1 / (x[1] * x[1]), -2 * x[0] / (x[1] * x[1] * x[1]);
  CHECK(matches(tapegrad::gradient(expr, x).gradient, Eigen::Vector2d(e * x[1] - 1 / x[1], e + x[0] / (x[1] * x[1]))));
  CHECK(matches(tapegrad::hessian(expr, x), he));
}

TEST_CASE("drivers: outputs that are an input, a constant, or of no parameters", "[drivers]") {
  const Eigen::Vector3d x(0.5, -1.0, 2.0);
  // The output is an input itself: no statement recorded after the inputs.
  auto second = [](const auto& y) { return y[1]; };
  const tapegrad::HessianResult r = tapegrad::value_gradient_hessian(second, x);
  CHECK(r.value == -1.0);
  CHECK(r.gradient == Eigen::Vector3d(0, 1, 0));
  CHECK(r.hessian.isZero(0.0));
  // A constant output: gradient and Hessian zero.
  auto constant = [](const auto& y) {
    using T = std::decay_t<decltype(y[0])>;
    return T(2.5);
  };
  const tapegrad::GradientResult c = tapegrad::gradient(constant, x);
  CHECK(c.value == 2.5);
  CHECK(c.gradient.isZero(0.0));
  CHECK(tapegrad::hessian(constant, x).isZero(0.0));
  // No parameters at all.
  const Eigen::VectorXd none(0);
  const tapegrad::HessianResult empty = tapegrad::value_gradient_hessian(constant, none);
  CHECK(empty.value == 2.5);
  CHECK(empty.gradient.size() == 0);
  CHECK(empty.hessian.size() == 0);
  CHECK(tapegrad::gradient(constant, none).value == 2.5);
}

TEST_CASE("drivers: many parameters, closed-form Hessian with a dense rank-one part", "[drivers]") {
  // f = sum_i w_i (x_i - c_i)^2 + (sum_i x_i)^2: gradient 2 w (x - c) + 2 S, Hessian 2 diag(w) + 2 11^T.
  constexpr int n = 40;
  auto f = [](const auto& x) {
    using T = std::decay_t<decltype(x[0])>;
    T total = 0, s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double w = 1.0 + 0.1 * static_cast<double>(i), c = std::sin(static_cast<double>(i));
      total += w * tapegrad::square(x[i] - c);
      s += x[i];
    }
    return T(total + s * s);
  };
  Eigen::VectorXd x(n), w(n), c(n);
  for (int i = 0; i < n; ++i) {
    x[i] = std::cos(1.7 * i);
    w[i] = 1.0 + 0.1 * i;
    c[i] = std::sin(static_cast<double>(i));
  }
  const double s = x.sum();
  const Eigen::VectorXd g = 2 * w.cwiseProduct(x - c) + Eigen::VectorXd::Constant(n, 2 * s);
  const Eigen::MatrixXd h = Eigen::MatrixXd(2 * w.asDiagonal()) + Eigen::MatrixXd::Constant(n, n, 2.0);
  CHECK(matches(tapegrad::gradient(f, x).gradient, g));
  CHECK(matches(tapegrad::hessian(f, x), h));
}

TEST_CASE("drivers: an exception thrown inside f leaves the drivers usable", "[drivers]") {
  auto f = [](const auto& x) {
    using std::log;
    if (!(x[0] > 0)) throw std::domain_error("x0 must be positive");
    return log(x[0]) * x[1];
  };
  const Eigen::Vector2d bad(-1.0, 2.0), good(2.0, 3.0);
  CHECK_THROWS_AS(tapegrad::gradient(f, bad), std::domain_error);
  CHECK_THROWS_AS(tapegrad::hessian(f, bad), std::domain_error);
  CHECK_THROWS_AS(tapegrad::hessian_vector(f, bad, good), std::domain_error);
  // The next calls record on a clean tape and get the right numbers.
  const tapegrad::GradientResult g = tapegrad::gradient(f, good);
  CHECK(g.value == Approx(std::log(2.0) * 3.0).epsilon(1e-15));
  CHECK(matches(g.gradient, Eigen::Vector2d(1.5, std::log(2.0))));
  Eigen::Matrix2d h;
  h << -0.75, 0.5, 0.5, 0;
  CHECK(matches(tapegrad::hessian(f, good), h));
  // And no tape is left active on this thread: a stray Var still has nowhere to go.
  CHECK_THROWS_AS(tapegrad::Var(1.0), std::logic_error);
}
