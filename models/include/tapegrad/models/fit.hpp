#pragma once
// Fitting an experiment by maximum likelihood, and what is inferred at the estimate:
// standard errors from the inverse observed information (the exact Hessian of the negative
// log-likelihood), log-likelihood with every constant, AIC and BIC.
//
// Where no finite MLE exists (separated classes: the likelihood keeps rising as some
// parameters go to infinity) the results say so and name those parameters, instead of
// reporting wherever the optimizer stopped. Where the Hessian is singular (parameters that
// are not identifiable, like an over-parameterised softmax) the results say so instead of
// printing standard errors.
#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

struct ParameterEstimate {
  std::string name;
  double value = 0;
  double std_error = 0;  // NaN where not available (see FitResults::inference)
};

// What could be said at the estimate.
enum class Inference {
  standard_errors,  // H positive definite: standard errors reported
  singular,         // a flat direction: parameters not identifiable
  no_finite_mle,    // the likelihood rises without bound along a direction (separation)
  not_computed,     // the fit diverged, or standard_errors was switched off
};
std::string to_string(Inference inference);

struct FitResults {
  std::string name;
  std::string family;
  std::string optimizer;
  std::size_t n_observations = 0;
  std::size_t n_parameters = 0;
  double log_likelihood = 0;  // the total, every constant included
  double aic = 0;
  double bic = 0;
  bool converged = false;
  OptimizerStatus status = OptimizerStatus::max_iterations;
  std::string message;  // the optimizer's
  int iterations = 0;
  int evaluations = 0;
  double gradient_max = 0;  // max |gradient| of the mean negative log-likelihood
  std::vector<ParameterEstimate> parameters;
  Inference inference = Inference::not_computed;
  std::string inference_note;                     // why there are no standard errors, in a sentence
  std::vector<std::string> diverging_parameters;  // no_finite_mle: the parameters heading to infinity
  std::vector<int> diverging_signs;               // +1 (to +inf) or -1 (to -inf), one per name
  std::vector<std::string> flat_parameters;       // singular: the parameters in the flat direction
  std::size_t threads = 1;    // shards the full-data evaluations ran in (fit.threads, capped by the rows)
  std::size_t processes = 1;  // MPI ranks the rows were split between
  double load_seconds = 0;
  double fit_seconds = 0;
  double inference_seconds = 0;
  std::vector<IterationRecord> history;
  // A stop request (Ctrl-C, SIGTERM) cut the fit (status interrupted) or its standard errors
  // (inference not_computed, the estimate kept) short.
  bool interrupted = false;

  // Converged to a finite maximum, nothing cut short: what exit status 0 means.
  bool succeeded() const { return converged && !interrupted && inference != Inference::no_finite_mle; }
};

// Fits by the config's optimizer from the model's starting values, then computes the Hessian
// at the estimate (when fit.standard_errors) to report standard errors or say why there are none.
// A stop request (request_stop) ends the optimizer after its iteration, or the standard errors
// between two Hessian columns: the results then keep the best estimate, marked interrupted.
// `on_estimate` is called once the optimizer has finished, before the standard errors.
FitResults fit(Experiment& experiment, const IterationCallback& on_iteration = {},
               const std::function<void()>& on_estimate = {});

// The analysis behind FitResults::inference, on its own: `total_nll` evaluates the negative
// log-likelihood (a total), `hessian` is its Hessian at `estimate`. Fills inference, the notes, diverging/flat parameters and (when positive definite)
// the standard errors of `results.parameters` (on the optimisation scale).
struct InferenceInput {
  Eigen::VectorXd estimate;
  Eigen::VectorXd start;  // where the optimizer began
  std::size_t observations = 0;
  Eigen::MatrixXd hessian;
  std::vector<std::string> names;
  // Optimises further from a point with a tighter tolerance (the fit's optimizer); may be empty.
  std::function<Eigen::VectorXd(const Eigen::VectorXd&)> continue_from;
};
struct InferenceResult {
  Inference inference = Inference::not_computed;
  Eigen::VectorXd std_errors;  // where inference is standard_errors
  std::vector<std::string> diverging;
  std::vector<int> diverging_signs;
  std::vector<std::string> flat;
  std::string note;
};
InferenceResult infer(const InferenceInput& input, const std::function<double(const Eigen::VectorXd&)>& total_nll);

}  // namespace tapegrad::models
