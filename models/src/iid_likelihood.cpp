// fit_iid and its objective (iid_likelihood.hpp): the drivers, the optimizer and the inference
// over a type-erased per-observation log-density, compiled once.
#include "tapegrad/models/iid_likelihood.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace tapegrad::models {

double IidLikelihood::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) { return mean_nll(x, nullptr, g); }

double IidLikelihood::batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                                           Eigen::VectorXd& g) {
  return mean_nll(x, &rows, g);
}

Eigen::MatrixXd IidLikelihood::hessian(const Eigen::VectorXd& x) {
  const double n = static_cast<double>(n_);
  return tapegrad::hessian([&](const auto& th) { return -log_density_.sum(th, n_) / n; }, x);
}

Eigen::VectorXd IidLikelihood::hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  const double n = static_cast<double>(n_);
  return tapegrad::hessian_vector([&](const std::vector<HVar>& th) { return -log_density_.sum(th, n_) / n; }, x, v);
}

double IidLikelihood::total_nll(const Eigen::VectorXd& x) const {
  const std::vector<double> th(x.data(), x.data() + x.size());
  return -log_density_.sum(th, n_);
}

Eigen::MatrixXd IidLikelihood::total_hessian(const Eigen::VectorXd& x) const {
  return tapegrad::hessian([&](const auto& th) { return -log_density_.sum(th, n_); }, x);
}

double IidLikelihood::mean_nll(const Eigen::VectorXd& x, const std::vector<std::size_t>* rows,
                               Eigen::VectorXd& g) const {
  const double m = static_cast<double>(rows ? rows->size() : n_);
  auto r = tapegrad::gradient([&](const auto& th) { return -log_density_.sum(th, n_, rows) / m; }, x);
  g = std::move(r.gradient);
  return r.value;
}

IidFit fit_iid(const IidLogDensity& log_density, std::size_t n, const Eigen::VectorXd& start,
               const OptimizerOptions& options, std::vector<std::string> names) {
  IidLikelihood objective(log_density, start.size(), n);
  IidFit r;
  try {
    r.optimizer = minimize(objective, start, options);
  } catch (const StartingPointError& e) {
    // The same error, its message in the caller's parameter names with the starting values.
    std::string values;
    for (Eigen::Index j = 0; j < start.size(); ++j)
      values += (j ? ", " : "") + (names.size() == static_cast<std::size_t>(start.size())
                                       ? names[static_cast<std::size_t>(j)]
                                       : "theta[" + std::to_string(j) + "]") +
                " = " + std::to_string(start[j]);
    throw StartingPointError("fit_iid: the fit cannot start: at the starting point " + e.reason() + " (" + values + ")",
                             e.reason(), e.parameters());
  }
  r.estimate = r.optimizer.x;
  const double p = static_cast<double>(start.size());
  r.log_likelihood = -objective.total_nll(r.estimate);
  r.aic = 2 * p - 2 * r.log_likelihood;
  r.bic = p * std::log(static_cast<double>(n)) - 2 * r.log_likelihood;
  r.std_error = Eigen::VectorXd::Constant(start.size(), std::nan(""));
  r.message = r.optimizer.message;
  if (r.optimizer.status == OptimizerStatus::diverged || r.optimizer.status == OptimizerStatus::interrupted) {
    r.inference_note = r.optimizer.status == OptimizerStatus::diverged
                           ? "the fit diverged, so nothing is inferred at its last point"
                           : "the fit was interrupted, so nothing is inferred at its best point so far";
    return r;
  }
  if (names.empty())
    for (Eigen::Index j = 0; j < start.size(); ++j) names.push_back("theta[" + std::to_string(j) + "]");
  InferenceInput in;
  in.estimate = r.estimate;
  in.start = start;
  in.observations = n;
  in.gradient = static_cast<double>(n) * r.optimizer.gradient;
  if (start.size() > 0) {  // a 0 x 0 Hessian is nothing to compute
    r.hessian = objective.total_hessian(r.estimate);
    in.hessian = r.hessian;
  }
  in.names = std::move(names);
  // infer() probes points away from the estimate; one outside the density's domain is NaN there
  // (which infer reads as "the likelihood does not rise"), never an exception out of fit_iid.
  const InferenceResult inferred = infer(in, [&](const Eigen::VectorXd& x) {
    try {
      return objective.total_nll(x);
    } catch (const std::domain_error&) {
      return std::nan("");
    } catch (const std::range_error&) {
      return std::nan("");
    }
  });
  r.newton_decrement = inferred.newton_decrement;
  const Convergence convergence = judge_convergence(r.optimizer, inferred.newton_decrement, kNewtonDecrementTolerance,
                                                    inferred.inference == Inference::standard_errors);
  r.converged = convergence.converged && inferred.inference != Inference::no_finite_mle;
  r.message = convergence.message;
  r.inference = inferred.inference;
  r.inference_note = inferred.note;
  if (!r.converged && inferred.inference != Inference::no_finite_mle) {
    r.inference = Inference::not_computed;
    r.inference_note = "the fit did not converge, so these are not maximum-likelihood estimates and nothing is "
                       "inferred from them";
    return r;
  }
  if (inferred.inference == Inference::standard_errors) r.std_error = inferred.std_errors;
  return r;
}

}  // namespace tapegrad::models
