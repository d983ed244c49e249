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
#include <functional>
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

// f on each of the three scalar types, behind std::function: the checks below are compiled
// once (expect_ad.cpp) instead of once per op, which took a test file of a hundred one-line op
// checks from a minute and a half to seconds to compile.
struct AdFunction {
  std::function<double(const std::vector<double>&)> on_double;
  std::function<tapegrad::Var(const std::vector<tapegrad::Var>&)> on_var;
  std::function<tapegrad::HVar(const std::vector<tapegrad::HVar>&)> on_hvar;

  // Implicit, so a test passes its lambda where an AdFunction is expected.
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, AdFunction>>>
  AdFunction(const F& f)  // NOLINT(google-explicit-constructor)
      : on_double([f](const std::vector<double>& x) { return static_cast<double>(f(x)); }),
        on_var([f](const std::vector<tapegrad::Var>& x) { return tapegrad::Var(f(x)); }),
        on_hvar([f](const std::vector<tapegrad::HVar>& x) { return tapegrad::HVar(f(x)); }) {}

  // What the drivers call: the overload for the scalar type they record with.
  double operator()(const std::vector<double>& x) const { return on_double(x); }
  tapegrad::Var operator()(const std::vector<tapegrad::Var>& x) const { return on_var(x); }
  tapegrad::HVar operator()(const std::vector<tapegrad::HVar>& x) const { return on_hvar(x); }
};

void expect_ad(const std::string& op, const AdFunction& f, const Points& points, const AdTolerance& tol = {});

// f's value, gradient and (when given) Hessian at a point equal closed forms, on every path:
// value with T = double, Var and HVar; gradient with Var and HVar; Hessian with HVar. For edge
// regions where finite differences cannot be trusted (logits of +-1000, next to a pole).
void expect_derivatives(const std::string& op, const AdFunction& f, const std::vector<double>& point, double value,
                        const std::vector<double>& gradient, const Points& hessian = {}, double rel = 1e-15);

// Which exception expect_ad_throws expects, checked without a template per op.
using ThrowCheck = void (*)(const std::function<void()>& call);
template <class Exception>
void throws_as(const std::function<void()>& call) {
  CHECK_THROWS_AS(call(), Exception);
}
void expect_ad_throws(const std::string& op, const AdFunction& f, const Points& points, ThrowCheck check);

// f rejects every point with an Exception on the double, the Var and the HVar path.
template <class Exception, class F>
void expect_ad_throws(const std::string& op, const F& f, const Points& points) {
  expect_ad_throws(op, AdFunction(f), points, &throws_as<Exception>);
}

}  // namespace tapegrad_test
