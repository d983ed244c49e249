#pragma once
// A likelihood written by hand in C++, given the whole machinery: optimizers, standard errors
// from the exact Hessian, the singular / no-finite-MLE analysis, AIC and BIC. The user writes
// ONE observation's log-density, generic in its scalar type (loops, branches, special functions):
//
//   auto log_density = [&](const auto& theta, std::size_t i) {    // log p(y_i | x_i, theta)
//     return tapegrad::poisson_log_lpmf(d.y[i], theta[0] + theta[1] * d.x[i]);
//   };
//   tapegrad::models::IidFit fit = tapegrad::models::fit_iid(log_density, n, start);
//
// IID data make the log-likelihood a sum over observations, so the optimizers' loss is the
// mean negative log-likelihood -(1/n) sum_i log p(y_i | theta) (a mean, so the gradient
// tolerance does not depend on n) and a mini-batch loss is the same mean over its rows.
#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapegrad/autodiff/drivers.hpp"
#include "tapegrad/models/fit.hpp"
#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

// sum_{i in rows} log_density(theta, i), or over 0..n-1 when rows is null; T is theta's scalar.
template <class T, class LogDensity>
T sum_log_density(const LogDensity& log_density, const std::vector<T>& theta, std::size_t n,
                  const std::vector<std::size_t>* rows = nullptr) {
  T total = 0;
  if (rows) {
    for (std::size_t i : *rows) total += log_density(theta, i);
  } else {
    for (std::size_t i = 0; i < n; ++i) total += log_density(theta, i);
  }
  return total;
}

// One observation's log-density, summed over rows, for theta of each scalar type the library
// needs (double, Var, HVar), behind std::function. The sum is instantiated in the caller's file,
// where the density inlines into its loop; the derivatives, the optimizers and the inference
// are compiled once, in the library, so a user's likelihood file compiles in seconds.
class IidLogDensity {
 public:
  template <class T>
  using Sum = std::function<T(const std::vector<T>& theta, std::size_t n, const std::vector<std::size_t>* rows)>;

  // Implicit, so fit_iid takes the user's lambda as it is.
  template <class LogDensity, class = std::enable_if_t<!std::is_same<std::decay_t<LogDensity>, IidLogDensity>::value>>
  IidLogDensity(LogDensity log_density)  // NOLINT(google-explicit-constructor)
      : on_double_(summed<double>(log_density)), on_var_(summed<Var>(log_density)), on_hvar_(summed<HVar>(log_density)) {}

  // sum_{i in rows} log p(y_i | theta), or over 0..n-1 when rows is null.
  double sum(const std::vector<double>& theta, std::size_t n, const std::vector<std::size_t>* rows = nullptr) const {
    return on_double_(theta, n, rows);
  }
  Var sum(const std::vector<Var>& theta, std::size_t n, const std::vector<std::size_t>* rows = nullptr) const {
    return on_var_(theta, n, rows);
  }
  HVar sum(const std::vector<HVar>& theta, std::size_t n, const std::vector<std::size_t>* rows = nullptr) const {
    return on_hvar_(theta, n, rows);
  }

 private:
  template <class T, class LogDensity>
  static Sum<T> summed(const LogDensity& log_density) {
    return [log_density](const std::vector<T>& theta, std::size_t n, const std::vector<std::size_t>* rows) {
      return sum_log_density(log_density, theta, n, rows);
    };
  }

  Sum<double> on_double_;
  Sum<Var> on_var_;
  Sum<HVar> on_hvar_;
};

// -(1/m) sum log p over all n rows (m = n) or a mini-batch (m = its size), for the optimizers.
class IidLikelihood : public Objective {
 public:
  IidLikelihood(IidLogDensity log_density, Eigen::Index parameters, std::size_t n)
      : log_density_(std::move(log_density)), p_(parameters), n_(n) {}
  Eigen::Index dimension() const override { return p_; }
  std::size_t observations() const override { return n_; }
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override;
  double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                              Eigen::VectorXd& g) override;
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override;
  Eigen::VectorXd hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v) override;  // exact
  // The TOTAL negative log-likelihood, -sum_i log p(y_i | theta), and its exact Hessian.
  double total_nll(const Eigen::VectorXd& x) const;
  Eigen::MatrixXd total_hessian(const Eigen::VectorXd& x) const;

 private:
  double mean_nll(const Eigen::VectorXd& x, const std::vector<std::size_t>* rows, Eigen::VectorXd& g) const;

  IidLogDensity log_density_;
  Eigen::Index p_;
  std::size_t n_;
};

// IidLikelihood constructed from the density as it is (the name earlier releases gave it).
template <class LogDensity>
class IidObjective final : public IidLikelihood {
 public:
  IidObjective(LogDensity log_density, Eigen::Index parameters, std::size_t n)
      : IidLikelihood(IidLogDensity(std::move(log_density)), parameters, n) {}
};

// What fit_iid reports: the optimizer's run and what is inferred at its estimate.
struct IidFit {
  OptimizerResult optimizer;
  Eigen::VectorXd estimate;
  Eigen::VectorXd std_error;  // sqrt(diag(H^-1)), H the Hessian of the total NLL; NaN unless
                              // inference == standard_errors
  Eigen::MatrixXd hessian;    // of the total negative log-likelihood at the estimate
  double log_likelihood = 0;  // the total at the estimate
  double aic = 0;             // 2 p - 2 log L
  double bic = 0;             // p log n - 2 log L
  bool converged = false;       // as fit() judges it (fit.hpp): the optimizer's test and the Newton decrement
  double newton_decrement = std::nan("");  // g' H^-1 g / 2 of the total NLL at the estimate
  std::string message;         // how the fit ended, in a line
  Inference inference = Inference::not_computed;
  std::string inference_note;  // why there are no standard errors, in a sentence
  bool succeeded() const { return converged && inference == Inference::standard_errors; }
};

// Maximises sum_i log_density(theta, i) over theta from `start` with `options` (default: auto,
// i.e. trust_region up to 200 parameters, to a Newton decrement < 1e-8 of the mean NLL), then
// infers at the estimate. A trial point where the density throws std::domain_error (or gives
// NaN) is rejected; at `start` that throws StartingPointError (a std::domain_error) naming the
// reason and the starting values.
// `names` label parameters in the inference notes (default theta[0], theta[1], ...).
IidFit fit_iid(const IidLogDensity& log_density, std::size_t n, const Eigen::VectorXd& start,
               const OptimizerOptions& options = {}, std::vector<std::string> names = {});

}  // namespace tapegrad::models
