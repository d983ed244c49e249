#pragma once
// Log densities and mass functions, with Stan's names and meanings, every constant included
// (log 2 pi for the normal, lgamma(y + 1) for the Poisson) so a log-likelihood matches R's
// logLik. Numerically stable: the logit forms never form a probability.
//
// Scalar forms are generic templates (double, Var, HVar, expressions): they compose the
// stable primitives of scalar_ops.hpp. Vectorised forms take data vectors and a MatVar of
// parameters and return the SUM over observations as one fused matrix node (densities.cpp).
//
// Invalid parameters throw std::domain_error naming the function, the argument (and the row,
// for vectors) and the value: "normal_lpdf: sigma must be positive and finite, got -1".
// Shape mismatches throw std::invalid_argument naming the function and both shapes.

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "tapegrad/autodiff/matrix.hpp"
#include "tapegrad/autodiff/scalar_ops.hpp"

namespace tapegrad {

namespace detail {
constexpr double kLogSqrtTwoPi = 0.91893853320467274178;  // log(sqrt(2 pi))
constexpr double kLogPi = 1.14472988584940017414;

// "<function>: <argument> <requirement>, got <value>", the value in its shortest exact form.
[[noreturn]] void throw_domain(const char* function, const char* argument, const std::string& requirement,
                               double value);
// The same for element `index` of a vector argument: "<function>: <argument>[<index>] ...".
[[noreturn]] void throw_domain_at(const char* function, const char* argument, std::ptrdiff_t index,
                                  const std::string& requirement, double value);

inline void check_positive_finite(const char* function, const char* argument, double v) {
  if (!(v > 0) || !std::isfinite(v)) throw_domain(function, argument, "must be positive and finite", v);
}
inline void check_not_nan(const char* function, const char* argument, double v) {
  if (std::isnan(v)) throw_domain(function, argument, "must not be NaN", v);
}

// An int or other arithmetic argument as a double (so that normal_lpdf(1, 0, 2) does not divide
// integers); a Var or expression unchanged.
template <class T>
decltype(auto) as_real(const T& x) {
  if constexpr (std::is_arithmetic<T>::value) {
    return static_cast<double>(x);
  } else {
    return (x);  // const T&
  }
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
  ScalarArg(const Expr<E, Real>& e) : ScalarArg(BasicVar<Real>(e)) {}  // NOLINT: records e first
};
template <class T>
struct identity {
  using type = T;
};
// Keeps a parameter out of template argument deduction (Real comes from the MatVar), so a
// double, a Var or an expression all convert.
template <class Real>
using ScalarParam = typename identity<ScalarArg<Real>>::type;
}  // namespace detail

// ---- scalar forms ----

// log N(y | mu, sigma) = -log sigma - log(2 pi)/2 - z^2/2, z = (y - mu) / sigma
template <class Y, class Mu, class Sigma, class = std::enable_if_t<all_scalar_like_v<Y, Mu, Sigma>>>
promote_t<Y, Mu, Sigma> normal_lpdf(const Y& y_in, const Mu& mu_in, const Sigma& sigma_in) {
  using std::log;
  const auto& y = detail::as_real(y_in);
  const auto& mu = detail::as_real(mu_in);
  const auto& sigma = detail::as_real(sigma_in);
  detail::check_not_nan("normal_lpdf", "y", value_of(y));
  detail::check_not_nan("normal_lpdf", "mu", value_of(mu));
  detail::check_positive_finite("normal_lpdf", "sigma", value_of(sigma));
  return -log(sigma) - detail::kLogSqrtTwoPi - 0.5 * square((y - mu) / sigma);
}

// log t_nu(y | mu, sigma), the location-scale Student-t:
// lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma - (nu+1)/2 log1p(z^2 / nu)
template <class Y, class Nu, class Mu, class Sigma, class = std::enable_if_t<all_scalar_like_v<Y, Nu, Mu, Sigma>>>
promote_t<Y, Nu, Mu, Sigma> student_t_lpdf(const Y& y_in, const Nu& nu_in, const Mu& mu_in, const Sigma& sigma_in) {
  using std::lgamma;
  using std::log;
  using std::log1p;
  const auto& y = detail::as_real(y_in);
  const auto& nu = detail::as_real(nu_in);
  const auto& mu = detail::as_real(mu_in);
  const auto& sigma = detail::as_real(sigma_in);
  detail::check_not_nan("student_t_lpdf", "y", value_of(y));
  detail::check_positive_finite("student_t_lpdf", "nu", value_of(nu));
  detail::check_not_nan("student_t_lpdf", "mu", value_of(mu));
  detail::check_positive_finite("student_t_lpdf", "sigma", value_of(sigma));
  using R = promote_t<Y, Nu, Mu, Sigma>;
  const R half_nu_plus = (nu + 1.0) * 0.5;
  return lgamma(half_nu_plus) - lgamma(nu * 0.5) - 0.5 * (log(nu) + detail::kLogPi) - log(sigma) -
         half_nu_plus * log1p(square((y - mu) / sigma) / nu);
}

// log Bernoulli(y | sigmoid(eta)), y in {0, 1}: log_sigmoid(eta) for 1, log_sigmoid(-eta) for 0.
template <class Eta, class = std::enable_if_t<all_scalar_like_v<Eta>>>
promote_t<Eta> bernoulli_logit_lpmf(int y, const Eta& eta_in) {
  const auto& eta = detail::as_real(eta_in);
  if (y != 0 && y != 1) detail::throw_domain("bernoulli_logit_lpmf", "y", "must be 0 or 1", y);
  detail::check_not_nan("bernoulli_logit_lpmf", "eta", value_of(eta));
  return y == 1 ? promote_t<Eta>(log_sigmoid(eta)) : promote_t<Eta>(log_sigmoid(-eta));
}

// log Poisson(y | exp(log_rate)) = y log_rate - exp(log_rate) - lgamma(y + 1), y = 0, 1, 2, ...
template <class LogRate, class = std::enable_if_t<all_scalar_like_v<LogRate>>>
promote_t<LogRate> poisson_log_lpmf(int y, const LogRate& log_rate_in) {
  using std::exp;
  const auto& log_rate = detail::as_real(log_rate_in);
  if (y < 0) detail::throw_domain("poisson_log_lpmf", "y", "must be a non-negative integer count", y);
  detail::check_not_nan("poisson_log_lpmf", "log_rate", value_of(log_rate));
  if (y == 0) return promote_t<LogRate>(-exp(log_rate));  // 0 * log_rate is 0 even at log_rate = -inf
  return promote_t<LogRate>(y * log_rate - exp(log_rate) - std::lgamma(y + 1.0));
}

// log Categorical(y | softmax(eta)) = eta_y - log_sum_exp(eta), y in 0..K-1 (K = eta.size()).
template <class T>
T categorical_logit_lpmf(int y, const std::vector<T>& eta) {
  const auto k = static_cast<int>(eta.size());
  if (y < 0 || y >= k) {
    detail::throw_domain("categorical_logit_lpmf", "y", "must be a class index in 0.." + std::to_string(k - 1), y);
  }
  for (std::size_t j = 0; j < eta.size(); ++j) {
    const double v = value_of(eta[j]);
    if (std::isnan(v)) detail::throw_domain_at("categorical_logit_lpmf", "eta", static_cast<std::ptrdiff_t>(j),
                                               "must not be NaN", v);
  }
  return T(eta[static_cast<std::size_t>(y)] - log_sum_exp(eta));
}

// ---- vectorised forms: the sum over observations i, one fused node each ----
// Data vectors are referenced until the reverse pass; a temporary does not compile. sigma and
// nu may be a Var (learned), an expression over Vars, or a double (held fixed).

// sum_i log N(y_i | mu_i, sigma); mu is y.size() x 1.
template <class Real>
BasicVar<Real> normal_lpdf(const Eigen::VectorXd& y, const BasicMatVar<Real>& mu, detail::ScalarParam<Real> sigma);
// sum_i log t_nu(y_i | mu_i, sigma); mu is y.size() x 1.
template <class Real>
BasicVar<Real> student_t_lpdf(const Eigen::VectorXd& y, detail::ScalarParam<Real> nu, const BasicMatVar<Real>& mu,
                              detail::ScalarParam<Real> sigma);
// sum_i log Bernoulli(y_i | sigmoid(eta_i)); y_i in {0, 1}, eta is y.size() x 1.
template <class Real>
BasicVar<Real> bernoulli_logit_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta);
// sum_i log Poisson(y_i | exp(eta_i)); y_i non-negative integers, eta is y.size() x 1.
template <class Real>
BasicVar<Real> poisson_log_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta);
// sum_i log Categorical(y_i | softmax(row i of eta)); eta is y.size() x K, labels 0..K-1.
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
