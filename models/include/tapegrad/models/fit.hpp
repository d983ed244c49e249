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
//
// What "converged" means. The optimizer stops when max |gradient| of the mean negative
// log-likelihood is below fit.tolerance: an absolute test, which a parameter of a very small
// or very large scale defeats (a feature of scale 1e-12 has a gradient 1e-12 times too small to
// see; Poisson counts near 1e9 have rounding noise in the gradient above any small tolerance).
// So the fit judges again at the estimate, with a test that no rescaling of the parameters
// changes: the Newton decrement
//     delta = g' H^-1 g / 2      (g, H: gradient and Hessian of the TOTAL negative log-likelihood)
// which is the log-likelihood a Newton step would still gain (and sqrt(2 delta) is the distance
// to the maximum in standard errors). The fit has converged when
//   - delta <= FitOptions::newton_decrement_tolerance (5e-5 = 0.01^2 / 2: within 0.01 standard
//     errors of the maximum in every direction), whether or not the optimizer's absolute
//     gradient test was met: a fit that ran out of iterations or line-search progress at an
//     isolated maximum (positive definite Hessian) with such a delta IS at the maximum, to a
//     hundredth of a standard error (Poisson counts near 1e9, whose objective rounds at 1e-6
//     of its value, get no closer with L-BFGS), and
//   - the likelihood has a finite maximum there (no direction to infinity, see below).
// A fit the optimizer called converged with a larger delta is NOT converged (exit 1) and its
// message says so. delta is computed over the directions the Hessian curves (a flat direction
// of a non-identifiable model is reported as singular instead), with the Hessian scaled to
// unit diagonal so that parameter units do not matter. Where the Hessian is not computed (more
// parameters than FitOptions::max_hessian_parameters) delta is NaN, and the optimizer's test
// alone decides (the results say so).
//
// The Hessian at the estimate (p x p doubles, needed for the standard errors, the decrement and
// the no-finite-MLE analysis) is computed whenever the fit stopped at a finite point, whether or
// not standard errors are asked for: fit.standard_errors false skips only their reporting.
// Above max_hessian_parameters (default kMaxHessianParameters) it is not computed at all: the
// fit completes, says why there are no standard errors, and looks for a direction to infinity
// without it (along the way the optimizer travelled and the way a continued optimisation heads);
// the newton optimizer, which needs the Hessian at every step, is refused there (InputError).
#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

// Largest parameter count for which the p x p Hessian is computed (standard errors, the Newton
// decrement, the newton optimizer). Measured (peak resident memory of a softmax fit with
// p = 2002): the Hessian and its analysis hold 3.4 p x p matrices at most (the Hessian, its
// scaled copy, the eigenvectors, a transient of the Hessian's assembly), so at p = 5000 about
// 3.4 * 8 * 5000^2 bytes = 0.7 GB, well below 2 GB; the time grows as p^3: 30 s at p = 2002 on
// one core of the development machine, some 8 minutes at the limit.
constexpr std::size_t kMaxHessianParameters = 5000;
// The Newton decrement (log-likelihood units) below which a fit has converged: 0.01^2 / 2, the
// estimate within 0.01 standard errors of the maximum (sqrt(2 delta) standard errors away).
constexpr double kNewtonDecrementTolerance = 5e-5;

// Knobs of fit() that are not in the config.
struct FitOptions {
  std::size_t max_hessian_parameters = kMaxHessianParameters;
  double newton_decrement_tolerance = kNewtonDecrementTolerance;
  std::function<void()> on_estimate;  // called once the optimizer has finished, before the Hessian
};

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
  not_computed,     // the fit did not converge (not an MLE), diverged, was interrupted,
                    // standard_errors was switched off, or p is above max_hessian_parameters
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
  bool converged = false;  // see "What converged means" above
  OptimizerStatus status = OptimizerStatus::max_iterations;  // the optimizer's
  std::string message;  // how the fit ended: the optimizer's line, and the check at the estimate where it decides
  double newton_decrement = std::numeric_limits<double>::quiet_NaN();  // at the estimate; NaN: not computed
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

// Fits by the config's optimizer from the model's starting values, then computes the Hessian at
// the estimate to judge convergence and report standard errors, or say why there are none.
// InputError (exit 2) for newton above options.max_hessian_parameters. A stop request
// (request_stop) ends the optimizer after its iteration, or the standard errors between two
// Hessian columns: the results then keep the best estimate, marked interrupted.
FitResults fit(Experiment& experiment, const IterationCallback& on_iteration = {}, const FitOptions& options = {});

// Whether a fit that ended as `optimizer` did, with Newton decrement `decrement` at its
// estimate (NaN: unknown), has converged, and the line that says why. A fit the optimizer did
// not call converged is accepted on its decrement only at an `isolated_maximum` (a positive
// definite Hessian): separated data end with a small decrement too.
struct Convergence {
  bool converged = false;
  std::string message;
};
Convergence judge_convergence(const OptimizerResult& optimizer, double decrement, double tolerance,
                              bool isolated_maximum);

// The analysis behind FitResults::inference, on its own: `total_nll` evaluates the negative
// log-likelihood (a total), `hessian` is its Hessian at `estimate`. Gives inference, the note,
// diverging/flat parameters, the Newton decrement and (when positive definite) the standard
// errors on the optimisation scale. A model without parameters has nothing to estimate: its
// inference is standard_errors (none needed) and its decrement 0.
struct InferenceInput {
  Eigen::VectorXd estimate;
  Eigen::VectorXd start;  // where the optimizer began
  std::size_t observations = 0;
  Eigen::VectorXd gradient;  // of the total NLL at the estimate (for the Newton decrement; may be empty)
  Eigen::MatrixXd hessian;   // of the total NLL; empty (0 x 0 for p > 0): not computed, the analysis goes without
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
  double newton_decrement = std::numeric_limits<double>::quiet_NaN();  // g' H^-1 g / 2 where computable
};
InferenceResult infer(const InferenceInput& input, const std::function<double(const Eigen::VectorXd&)>& total_nll);

}  // namespace tapegrad::models
