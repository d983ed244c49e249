#pragma once
// Log densities and mass functions, with Stan's names and meanings, every constant included
// (log 2 pi for the normal, lgamma(y + 1) for the Poisson) so a log-likelihood matches R's
// logLik. Numerically stable: the logit forms never form a probability.
//
// Scalar forms are generic templates (double, Var, HVar, expressions): they compose the
// stable primitives of scalar_ops.hpp. Vectorised forms take data vectors and a MatVar of
// parameters and return the SUM over observations as one fused matrix node.
//
// Invalid parameters throw std::domain_error naming the function, the argument and the value.

#include <Eigen/Core>
#include <cmath>
#include <type_traits>
#include <vector>

#include "tapegrad/autodiff/matrix.hpp"
#include "tapegrad/autodiff/scalar_ops.hpp"

namespace tapegrad {

namespace detail {
constexpr double kLogSqrtTwoPi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kLogPi = 1.14472988584940017414;

[[noreturn]] void throw_domain(const char* function, const char* argument, const char* requirement, double value);
inline void check_positive_finite(const char* function, const char* argument, double v) {
  if (!(v > 0) || !std::isfinite(v)) throw_domain(function, argument, "must be positive and finite", v);
}
inline void check_not_nan(const char* function, const char* argument, double v) {
  if (std::isnan(v)) throw_domain(function, argument, "must not be NaN", v);
}

// A scalar parameter of a vectorised density: a variable, or a number held fixed.
template <class Real>
struct ScalarArg {
  Real value;
  Index index;
  bool is_variable;
  ScalarArg(double v) : value(v), index(0), is_variable(false) {}  // NOLINT: implicit by design
  ScalarArg(const BasicVar<Real>& v) : value(v.value()), index(v.index()), is_variable(true) {}  // NOLINT
  template <class E>
  ScalarArg(const Expr<E, Real>& e) : ScalarArg(BasicVar<Real>(e)) {}  // NOLINT
};
template <class T>
struct identity {
  using type = T;
};
// Keeps a parameter out of template argument deduction, so a double or a Var both convert.
template <class Real>
using ScalarParam = typename identity<ScalarArg<Real>>::type;
}  // namespace detail

// ---- scalar forms ----

// log N(y | mu, sigma)
template <class Y, class Mu, class Sigma, class = std::enable_if_t<all_scalar_like_v<Y, Mu, Sigma>>>
promote_t<Y, Mu, Sigma> normal_lpdf(const Y& y, const Mu& mu, const Sigma& sigma) {
  using std::log;
  detail::check_not_nan("normal_lpdf", "y", value_of(y));
  detail::check_not_nan("normal_lpdf", "mu", value_of(mu));
  detail::check_positive_finite("normal_lpdf", "sigma", value_of(sigma));
  return -log(sigma) - detail::kLogSqrtTwoPi - 0.5 * square((y - mu) / sigma);
}

// log t_nu(y | mu, sigma), the location-scale Student-t.
template <class Y, class Nu, class Mu, class Sigma, class = std::enable_if_t<all_scalar_like_v<Y, Nu, Mu, Sigma>>>
promote_t<Y, Nu, Mu, Sigma> student_t_lpdf(const Y& y, const Nu& nu, const Mu& mu, const Sigma& sigma) {
  using std::lgamma;
  using std::log;
  using std::log1p;
  detail::check_not_nan("student_t_lpdf", "y", value_of(y));
  detail::check_positive_finite("student_t_lpdf", "nu", value_of(nu));
  detail::check_not_nan("student_t_lpdf", "mu", value_of(mu));
  detail::check_positive_finite("student_t_lpdf", "sigma", value_of(sigma));
  using R = promote_t<Y, Nu, Mu, Sigma>;
  const R half_nu_plus = (nu + 1.0) * 0.5;
  return lgamma(half_nu_plus) - lgamma(nu * 0.5) - 0.5 * (log(nu) + detail::kLogPi) - log(sigma) -
         half_nu_plus * log1p(square((y - mu) / sigma) / nu);
}

// log Bernoulli(y | sigmoid(eta)), y in {0, 1}: log_sigmoid(eta) or log_sigmoid(-eta).
template <class Eta, class = std::enable_if_t<all_scalar_like_v<Eta>>>
promote_t<Eta> bernoulli_logit_lpmf(int y, const Eta& eta) {
  if (y != 0 && y != 1) detail::throw_domain("bernoulli_logit_lpmf", "y", "must be 0 or 1", y);
  detail::check_not_nan("bernoulli_logit_lpmf", "eta", value_of(eta));
  return y == 1 ? promote_t<Eta>(log_sigmoid(eta)) : promote_t<Eta>(log_sigmoid(-eta));
}

// log Poisson(y | exp(alpha)) = y alpha - exp(alpha) - lgamma(y + 1), y = 0, 1, 2, ...
template <class Alpha, class = std::enable_if_t<all_scalar_like_v<Alpha>>>
promote_t<Alpha> poisson_log_lpmf(int y, const Alpha& alpha) {
  using std::exp;
  if (y < 0) detail::throw_domain("poisson_log_lpmf", "y", "must be a non-negative count", y);
  detail::check_not_nan("poisson_log_lpmf", "alpha", value_of(alpha));
  const double log_factorial = std::lgamma(y + 1.0);
  if (y == 0) return promote_t<Alpha>(-exp(alpha));  // 0 * alpha is 0 even where alpha = -inf
  return promote_t<Alpha>(y * alpha - exp(alpha) - log_factorial);
}

// log Categorical(y | softmax(eta)) = eta_y - log_sum_exp(eta), y in 0..K-1.
template <class T>
T categorical_logit_lpmf(int y, const std::vector<T>& eta) {
  if (y < 0 || static_cast<std::size_t>(y) >= eta.size()) {
    detail::throw_domain("categorical_logit_lpmf", "y", "must be a class index in 0..K-1", y);
  }
  for (const T& e : eta) detail::check_not_nan("categorical_logit_lpmf", "eta", value_of(e));
  return T(eta[static_cast<std::size_t>(y)] - log_sum_exp(eta));
}

// ---- vectorised forms: the sum over observations i ----
// Data vectors are referenced until the reverse pass; a temporary does not compile.

// sum_i log N(y_i | mu_i, sigma); mu has y.size() elements.
template <class Real>
BasicVar<Real> normal_lpdf(const Eigen::VectorXd& y, const BasicMatVar<Real>& mu, detail::ScalarParam<Real> sigma);
// sum_i log t_nu(y_i | mu_i, sigma)
template <class Real>
BasicVar<Real> student_t_lpdf(const Eigen::VectorXd& y, detail::ScalarParam<Real> nu, const BasicMatVar<Real>& mu,
                              detail::ScalarParam<Real> sigma);
// sum_i log Bernoulli(y_i | sigmoid(eta_i)), y_i in {0, 1}
template <class Real>
BasicVar<Real> bernoulli_logit_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta);
// sum_i log Poisson(y_i | exp(eta_i))
template <class Real>
BasicVar<Real> poisson_log_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta);
// sum_i log Categorical(y_i | softmax(eta_i.)), eta is N x K, labels 0..K-1
template <class Real>
BasicVar<Real> categorical_logit_lpmf(const Eigen::VectorXi& y, const BasicMatVar<Real>& eta);

template <class Real>
BasicVar<Real> normal_lpdf(Eigen::VectorXd&& y, const BasicMatVar<Real>& mu, detail::ScalarParam<Real> sigma) = delete;
template <class Real>
BasicVar<Real> student_t_lpdf(Eigen::VectorXd&& y, detail::ScalarParam<Real> nu, const BasicMatVar<Real>& mu,
                              detail::ScalarParam<Real> sigma) = delete;
template <class Real>
BasicVar<Real> bernoulli_logit_lpmf(Eigen::VectorXd&& y, const BasicMatVar<Real>& eta) = delete;
template <class Real>
BasicVar<Real> poisson_log_lpmf(Eigen::VectorXd&& y, const BasicMatVar<Real>& eta) = delete;
template <class Real>
BasicVar<Real> categorical_logit_lpmf(Eigen::VectorXi&& y, const BasicMatVar<Real>& eta) = delete;

}  // namespace tapegrad
