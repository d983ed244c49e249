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

// -(1/m) sum log p over all n rows (m = n) or a mini-batch (m = its size), for the optimizers.
template <class LogDensity>
class IidObjective final : public Objective {
 public:
  IidObjective(LogDensity log_density, Eigen::Index parameters, std::size_t n)
      : log_density_(std::move(log_density)), p_(parameters), n_(n) {}
  Eigen::Index dimension() const override { return p_; }
  std::size_t observations() const override { return n_; }
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override { return mean_nll(x, nullptr, g); }
  double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                              Eigen::VectorXd& g) override {
    return mean_nll(x, &rows, g);
  }
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override {
    const double n = static_cast<double>(n_);
    return tapegrad::hessian([&](const auto& th) { return -sum_log_density(log_density_, th, n_) / n; }, x);
  }
  // The TOTAL negative log-likelihood, -sum_i log p(y_i | theta), and its exact Hessian.
  double total_nll(const Eigen::VectorXd& x) const {
    const std::vector<double> th(x.data(), x.data() + x.size());
    return -sum_log_density(log_density_, th, n_);
  }
  Eigen::MatrixXd total_hessian(const Eigen::VectorXd& x) const {
    return tapegrad::hessian([&](const auto& th) { return -sum_log_density(log_density_, th, n_); }, x);
  }

 private:
  double mean_nll(const Eigen::VectorXd& x, const std::vector<std::size_t>* rows, Eigen::VectorXd& g) const {
    const double m = static_cast<double>(rows ? rows->size() : n_);
    auto r = tapegrad::gradient([&](const auto& th) { return -sum_log_density(log_density_, th, n_, rows) / m; }, x);
    g = std::move(r.gradient);
    return r.value;
  }

  LogDensity log_density_;
  Eigen::Index p_;
  std::size_t n_;
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
  Inference inference = Inference::not_computed;
  std::string inference_note;  // why there are no standard errors, in a sentence
  bool succeeded() const { return optimizer.status == OptimizerStatus::converged && inference == Inference::standard_errors; }
};

// Maximises sum_i log_density(theta, i) over theta from `start` with `options` (default: L-BFGS
// to max |gradient| < 1e-8 of the mean NLL), then infers at the estimate.
// `names` label parameters in the inference notes (default theta[0], theta[1], ...).
template <class LogDensity>
IidFit fit_iid(LogDensity log_density, std::size_t n, const Eigen::VectorXd& start, const OptimizerOptions& options = {},
               std::vector<std::string> names = {}) {
  IidObjective<LogDensity> objective(std::move(log_density), start.size(), n);
  IidFit r;
  r.optimizer = minimize(objective, start, options);
  r.estimate = r.optimizer.x;
  const double p = static_cast<double>(start.size());
  r.log_likelihood = -objective.total_nll(r.estimate);
  r.aic = 2 * p - 2 * r.log_likelihood;
  r.bic = p * std::log(static_cast<double>(n)) - 2 * r.log_likelihood;
  r.std_error = Eigen::VectorXd::Constant(start.size(), std::nan(""));
  if (r.optimizer.status == OptimizerStatus::diverged) {
    r.inference_note = "the fit diverged, so nothing is inferred at its last point";
    return r;
  }
  if (names.empty())
    for (Eigen::Index j = 0; j < start.size(); ++j) names.push_back("theta[" + std::to_string(j) + "]");
  r.hessian = objective.total_hessian(r.estimate);
  InferenceInput in;
  in.estimate = r.estimate;
  in.start = start;
  in.observations = n;
  in.hessian = r.hessian;
  in.names = std::move(names);
  const InferenceResult inferred = infer(in, [&](const Eigen::VectorXd& x) { return objective.total_nll(x); });
  r.inference = inferred.inference;
  r.inference_note = inferred.note;
  if (inferred.inference == Inference::standard_errors) r.std_error = inferred.std_errors;
  return r;
}

}  // namespace tapegrad::models
