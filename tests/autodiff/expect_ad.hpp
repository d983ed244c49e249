#pragma once
// expect_ad: one line tests an op or a function (Stan's expect_ad idea).
//
//   expect_ad("exp", AD_FN(exp(x[0])), {{-2.0}, {0.0}, {1.5}});
//
// f is generic in its scalar type and takes a std::vector<T> (T = double, Var, HVar) of 1..3
// arguments. At every point it checks
//   (a) the value with T = double equals the value with T = Var and with T = HVar;
//   (b) the tape's gradient equals finite differences of f in double (tapegrad::check_gradient),
//       and the gradient from the second-order (HVar) sweep equals the Var gradient;
//   (c) the exact Hessian equals finite differences of the exact gradient
//       (tapegrad::check_hessian), and hessian_vector(f, x, v) equals H v.
// A failing point prints the op's name, the point and the check's table.
//
//   expect_derivatives("softplus", AD_FN(softplus(x[0])), {1000.0}, 1000.0, {1.0}, {{0.0}});
// compares value, gradient and Hessian with closed forms where finite differences cannot go.
//
//   expect_ad_throws<std::domain_error>("f", f, {{-1.0}});
// asserts that f throws that exception at every point with T = double, Var and HVar.

#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "tapegrad/autodiff.hpp"

namespace tapegrad_test {

// The math an op test may call unqualified, for double and (by the same names) for Var/HVar.
namespace ad_math {
using std::abs;
using std::cos;
using std::erf;
using std::exp;
using std::expm1;
using std::fabs;
using std::lgamma;
using std::log;
using std::log1p;
using std::pow;
using std::sin;
using std::sqrt;
using std::tanh;
using tapegrad::digamma;
using tapegrad::inv_logit;
using tapegrad::log1p_exp;
using tapegrad::log_sigmoid;
using tapegrad::log_sum_exp;
using tapegrad::sigmoid;
using tapegrad::softplus;
using tapegrad::square;
using tapegrad::sum;
}  // namespace ad_math

// A generic function of x (a std::vector of double, Var or HVar) returning the expression;
// T names the scalar type. `AD_FN(pow(x[0], x[1]))`.
#define AD_FN(...)                                           \
  [](const auto& x) {                                        \
    using T [[maybe_unused]] = std::decay_t<decltype(x[0])>; \
    using namespace ::tapegrad_test::ad_math;                \
    return __VA_ARGS__;                                      \
  }

using Points = std::vector<std::vector<double>>;

inline tapegrad::CheckOptions fd_options(double rel, double abs) {
  tapegrad::CheckOptions o;
  o.rel_tol = rel;
  o.abs_tol = abs;
  return o;
}

struct AdTolerance {
  // The three paths evaluate the same formulas in the same order; a few ulps allow for an
  // expression that the tape evaluates with a different association.
  double value_rel = 4e-16;
  // Richardson differences at h = 1e-3 max(1, |x|) are good to about 1e-12 relative on smooth
  // functions away from poles; 1e-8 leaves room for points where |f| >> |f'| (rounding ~ eps |f| / h).
  tapegrad::CheckOptions gradient = fd_options(1e-8, 1e-10);
  tapegrad::CheckOptions hessian = fd_options(1e-8, 1e-10);
  // The HVar gradient and H v against their double counterparts: rounding only.
  double exact_rel = 1e-13;
  bool second_order = true;  // false for ops whose second derivative is not defined there
};

// A tolerance with the given gradient and Hessian check tolerances (the rest default).
inline AdTolerance fd_tolerance(double rel, double abs) {
  AdTolerance t;
  t.gradient = t.hessian = fd_options(rel, abs);
  return t;
}

// Derivative checks need every digit in a failure message (Catch2 prints 10 by default).
inline void print_full_precision() { Catch::StringMaker<double>::precision = 17; }

inline std::string describe_point(const std::vector<double>& p) {
  std::string s = "(";
  char buf[32];
  for (std::size_t i = 0; i < p.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", p[i]);
    s += (i ? ", " : "") + std::string(buf);
  }
  return s + ")";
}

// a == b within rel relative to the larger; an expected 0 must be exactly 0.
inline bool close_rel(double a, double b, double rel) {
  return a == b || std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b));
}

inline bool close_rel(const Eigen::VectorXd& a, const Eigen::VectorXd& b, double rel) {
  const double scale = std::max(a.lpNorm<Eigen::Infinity>(), b.lpNorm<Eigen::Infinity>());
  return a.size() == b.size() && (a - b).lpNorm<Eigen::Infinity>() <= rel * scale;
}

inline Eigen::VectorXd as_vector(const std::vector<double>& p) {
  return Eigen::Map<const Eigen::VectorXd>(p.data(), static_cast<Eigen::Index>(p.size()));
}

template <class F>
void expect_ad(const std::string& op, const F& f, const Points& points, const AdTolerance& tol = {}) {
  print_full_precision();
  REQUIRE_FALSE(points.empty());
  for (const std::vector<double>& point : points) {
    INFO("op " << op << " at " << describe_point(point));
    const Eigen::VectorXd x = as_vector(point);

    // (a) values on the three paths.
    const double value = static_cast<double>(tapegrad::detail::call_with(f, point));
    const tapegrad::GradientResult first = tapegrad::gradient(f, x);
    const tapegrad::HessianResult second = tapegrad::value_gradient_hessian(f, x);
    CAPTURE(value, first.value, second.value);
    CHECK(std::isfinite(value));
    CHECK(close_rel(first.value, value, tol.value_rel));
    CHECK(close_rel(second.value, value, tol.value_rel));

    // (b) the gradient against finite differences; the HVar sweep's gradient against the Var one.
    const tapegrad::CheckReport grad = tapegrad::check_gradient(f, x, tol.gradient);
    INFO("gradient check:\n" << grad.table());
    CHECK(grad.passed);
    CHECK(close_rel(second.gradient, first.gradient, tol.exact_rel));

    if (!tol.second_order) continue;
    // (c) the Hessian against finite differences of the gradient, and H v in one sweep.
    const tapegrad::CheckReport hess = tapegrad::check_hessian(f, x, tol.hessian);
    INFO("Hessian check:\n" << hess.table());
    CHECK(hess.passed);
    Eigen::VectorXd v(x.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = 0.7 - 1.1 * static_cast<double>(i);  // any direction
    const Eigen::VectorXd hv = tapegrad::hessian_vector(f, x, v);
    const Eigen::VectorXd h_times_v = second.hessian * v;
    CAPTURE(hv.transpose(), h_times_v.transpose());
    CHECK(hv.allFinite());
    // Rounding relative to the terms summed, |H| |v|, not to a result that may cancel to 0; plus
    // |g| |v|: tangents such as (a - f)' = v_a - f' cancel at the scale of the gradient.
    const double scale = (second.hessian.cwiseAbs() * v.cwiseAbs()).lpNorm<Eigen::Infinity>() +
                         second.gradient.lpNorm<Eigen::Infinity>() * v.lpNorm<Eigen::Infinity>();
    CHECK((hv - h_times_v).lpNorm<Eigen::Infinity>() <= tol.exact_rel * scale);
  }
}

// f's value, gradient and (when given) Hessian at a point equal closed forms, on every path:
// value with T = double, Var and HVar; gradient with Var and HVar; Hessian with HVar. For edge
// regions where finite differences cannot be trusted (logits of +-1000, next to a pole).
template <class F>
void expect_derivatives(const std::string& op, const F& f, const std::vector<double>& point, double value,
                        const std::vector<double>& gradient, const Points& hessian = {}, double rel = 1e-15) {
  print_full_precision();
  INFO("op " << op << " at " << describe_point(point));
  REQUIRE(gradient.size() == point.size());
  const Eigen::VectorXd x = as_vector(point);
  const double on_double = static_cast<double>(tapegrad::detail::call_with(f, point));
  const tapegrad::GradientResult first = tapegrad::gradient(f, x);
  const tapegrad::HessianResult second = tapegrad::value_gradient_hessian(f, x);
  CAPTURE(value, on_double, first.value, second.value);
  CHECK(close_rel(on_double, value, rel));
  CHECK(close_rel(first.value, value, rel));
  CHECK(close_rel(second.value, value, rel));
  for (std::size_t i = 0; i < gradient.size(); ++i) {
    const auto k = static_cast<Eigen::Index>(i);
    CAPTURE(i, gradient[i], first.gradient[k], second.gradient[k]);
    CHECK(close_rel(first.gradient[k], gradient[i], rel));
    CHECK(close_rel(second.gradient[k], gradient[i], rel));
  }
  if (hessian.empty()) return;
  REQUIRE(hessian.size() == point.size());
  for (std::size_t i = 0; i < hessian.size(); ++i) {
    REQUIRE(hessian[i].size() == point.size());
    for (std::size_t j = 0; j < hessian[i].size(); ++j) {
      const double got = second.hessian(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      CAPTURE(i, j, hessian[i][j], got);
      CHECK(close_rel(got, hessian[i][j], rel));
    }
  }
}

// f rejects every point with an Exception on the double, the Var and the HVar path.
template <class Exception, class F>
void expect_ad_throws(const std::string& op, const F& f, const Points& points) {
  REQUIRE_FALSE(points.empty());
  for (const std::vector<double>& point : points) {
    INFO("op " << op << " at " << describe_point(point));
    const Eigen::VectorXd x = as_vector(point);
    CHECK_THROWS_AS(tapegrad::detail::call_with(f, point), Exception);
    CHECK_THROWS_AS(tapegrad::gradient(f, x), Exception);
    CHECK_THROWS_AS(tapegrad::hessian(f, x), Exception);
  }
}

}  // namespace tapegrad_test
