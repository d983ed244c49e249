#include "tapegrad/models/fit.hpp"

#include <Eigen/Eigenvalues>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/objective.hpp"

namespace tapegrad::models {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The parameters that take a real part in direction d (and the sign of their part).
std::vector<std::string> names_where(const Eigen::VectorXd& d, const std::vector<std::string>& names,
                                     std::vector<int>* signs = nullptr) {
  const double top = d.cwiseAbs().maxCoeff();
  std::vector<std::string> out;
  for (Eigen::Index j = 0; j < d.size(); ++j) {
    if (std::abs(d[j]) < 0.05 * top) continue;
    out.push_back(names[static_cast<std::size_t>(j)]);
    if (signs) signs->push_back(d[j] > 0 ? 1 : -1);
  }
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Whether x + t d, t >= 0, is a way to infinity along which the likelihood keeps improving (a
// direction of recession: separation): the negative log-likelihood f never rises beyond
// rounding for t = 1, 2, 4, ... 64, yet pulling back along -d raises it (so d is not merely a
// flat direction).
bool recedes(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x, const Eigen::VectorXd& d,
             double f0) {
  const double tol = 1e-9 * (1 + std::abs(f0));
  for (double t = 1; t <= 64; t *= 2)
    if (!(f(x + t * d) <= f0 + tol)) return false;  // NaN counts as rising
  for (double back : {0.5, 0.75, 0.875, 0.9375, 0.999, 1.0, 2.0, 4.0, 8.0})
    if (f(x - back * d) > f0 + 1e3 * tol) return true;
  return false;
}

// Whether f stays level (to rounding) at x +- s d.
bool level(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x, const Eigen::VectorXd& d,
           double f0, double s) {
  const double tol = 1e-9 * (1 + std::abs(f0));
  return std::abs(f(x + s * d) - f0) <= tol && std::abs(f(x - s * d) - f0) <= tol;
}

}  // namespace

std::string to_string(Inference inference) {
  switch (inference) {
    case Inference::standard_errors: return "standard_errors";
    case Inference::singular: return "singular";
    case Inference::no_finite_mle: return "no_finite_mle";
    case Inference::not_computed: return "not_computed";
  }
  return "unknown";
}

InferenceResult infer(const InferenceInput& in, const std::function<double(const Eigen::VectorXd&)>& total_nll) {
  InferenceResult out;
  const Eigen::Index p = in.estimate.size();
  if (!in.hessian.allFinite()) {
    out.inference = Inference::not_computed;
    out.note = "the Hessian at the estimate is not finite";
    return out;
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(in.hessian);
  const Eigen::VectorXd& lambda = eigen.eigenvalues();  // ascending
  const Eigen::MatrixXd& v = eigen.eigenvectors();
  const double top = p > 0 ? lambda.cwiseAbs().maxCoeff() : 0.0;

  // Directions of (nearly) no curvature are where separation and non-identifiability live.
  // When the whole Hessian is negligible per observation, every direction is.
  std::vector<Eigen::Index> weak;
  const bool negligible = top <= 1e-10 * static_cast<double>(std::max<std::size_t>(in.observations, 1));
  for (Eigen::Index i = 0; i < p; ++i)
    if (negligible || lambda[i] <= 1e-8 * top) weak.push_back(i);

  const double f0 = total_nll(in.estimate);
  // Candidate ways to infinity: where the optimizer travelled within the weak directions
  // (an optimizer that ran far into a separated region leaves its trail there), and where a
  // continued, tighter optimisation heads (one that stopped early still has a pull outwards).
  std::vector<Eigen::VectorXd> candidates;
  if (!weak.empty()) {
    Eigen::VectorXd travelled = Eigen::VectorXd::Zero(p);
    for (Eigen::Index i : weak) travelled += v.col(i).dot(in.estimate - in.start) * v.col(i);
    if (travelled.cwiseAbs().maxCoeff() > 0) candidates.push_back(travelled);
  }
  if (in.continue_from) {
    const Eigen::VectorXd step = in.continue_from(in.estimate) - in.estimate;
    if (step.cwiseAbs().maxCoeff() > 1e-3 * std::max(1.0, in.estimate.cwiseAbs().maxCoeff())) candidates.push_back(step);
  }
  for (const auto& d : candidates) {
    if (recedes(total_nll, in.estimate, d, f0)) {
      out.inference = Inference::no_finite_mle;
      out.diverging = names_where(d, in.names, &out.diverging_signs);
      out.note = "no finite maximum-likelihood estimate: the likelihood keeps increasing as " + join(out.diverging) +
                 " go to infinity (the classes are separated by the features, or a count model has a "
                 "group of zeros); standard errors are meaningless here";
      return out;
    }
  }
  // Not identifiable: the likelihood is exactly level along a weak direction.
  const double scale = std::max(1.0, in.estimate.cwiseAbs().maxCoeff());
  for (Eigen::Index i : weak) {
    if (level(total_nll, in.estimate, v.col(i), f0, scale)) {
      out.inference = Inference::singular;
      out.flat = names_where(v.col(i), in.names);
      out.note = "the Hessian is singular: the likelihood is flat along a direction involving " + join(out.flat) +
                 ", so these parameters are not identifiable and have no standard errors";
      return out;
    }
  }
  if (p > 0 && !(lambda[0] > 0)) {
    out.inference = Inference::singular;
    out.note = "the Hessian is not positive definite at the estimate (not a maximum)";
    return out;
  }
  // Covariance = H^-1 through the eigenvectors, so a badly scaled H loses nothing to pivoting.
  const Eigen::MatrixXd covariance = v * lambda.cwiseInverse().asDiagonal() * v.transpose();
  out.std_errors = covariance.diagonal().cwiseSqrt();
  out.inference = Inference::standard_errors;
  return out;
}

FitResults fit(Experiment& experiment, const IterationCallback& on_iteration, const std::function<void()>& on_estimate) {
  const ExperimentConfig& config = experiment.config;
  const Model& model = *experiment.model;
  const Dataset& data = experiment.data;
  // Under mpirun one thread per rank unless fit.threads says otherwise (a rank per core).
  const std::size_t threads = experiment.communicator && config.fit.threads == 0 ? 1 : config.fit.threads;
  ModelObjective local(model, data, threads);
  // Under mpirun the objective is the sum over the ranks' rows (distributed.hpp).
  std::unique_ptr<DistributedObjective> distributed;
  if (experiment.communicator)
    distributed = std::make_unique<DistributedObjective>(local, *experiment.communicator, data.rows(), experiment.total_rows);
  Objective& objective = distributed ? static_cast<Objective&>(*distributed) : local;
  const std::size_t total_rows = experiment.communicator ? experiment.total_rows : data.rows();

  FitResults r;
  r.name = config.name;
  r.family = model.family().name();
  r.optimizer = config.fit.optimizer.method;
  r.n_observations = total_rows;
  r.n_parameters = model.parameter_count();
  r.load_seconds = experiment.load_seconds;
  r.threads = local.shards();
  r.processes = experiment.communicator ? static_cast<std::size_t>(experiment.communicator->size()) : 1;

  Eigen::VectorXd start = model.initial_parameters(data, config.fit.optimizer.seed, config.fit.spread_init);
  // Every rank starts where rank 0 does (a family's start may read the rank's own rows).
  if (experiment.communicator) experiment.communicator->broadcast(start.data(), static_cast<std::size_t>(start.size()));
  const auto fit_start = std::chrono::steady_clock::now();
  OptimizerResult opt = minimize(objective, start, config.fit.optimizer, on_iteration);
  r.fit_seconds = seconds_since(fit_start);
  if (on_estimate) on_estimate();

  const auto n = static_cast<double>(total_rows);
  const auto k = static_cast<double>(r.n_parameters);
  r.status = opt.status;
  r.converged = opt.status == OptimizerStatus::converged;
  r.message = opt.message;
  r.iterations = opt.iterations;
  r.evaluations = opt.evaluations;
  r.gradient_max = opt.gradient.size() ? opt.gradient.cwiseAbs().maxCoeff() : 0.0;
  r.history = std::move(opt.history);
  r.log_likelihood = -n * opt.value;
  r.aic = 2 * k - 2 * r.log_likelihood;
  r.bic = k * std::log(n) - 2 * r.log_likelihood;

  const auto& names = model.parameter_names();
  for (std::size_t j = 0; j < names.size(); ++j) {
    const double x = opt.x[static_cast<Eigen::Index>(j)];
    r.parameters.push_back({names[j], model.log_scale()[j] ? std::exp(x) : x, kNaN});
  }

  if (opt.status == OptimizerStatus::diverged || !std::isfinite(opt.value)) {
    r.inference_note = "the fit diverged, so nothing is inferred at its last point";
    return r;
  }
  if (opt.status == OptimizerStatus::interrupted) {
    r.interrupted = true;
    r.inference_note = "the fit was interrupted, so nothing is inferred at its best point so far";
    return r;
  }
  if (!config.fit.standard_errors) {
    r.inference_note = "standard errors were not asked for (fit.standard_errors is false)";
    return r;
  }
  const auto inference_start = std::chrono::steady_clock::now();
  // A stop request during the standard errors (polled between Hessian columns and after every
  // evaluation; under mpirun as the ranks agreed on it) keeps the estimate without them.
  const auto stop_point = [&] {
    if (objective.should_stop()) throw StopRequested();
  };
  InferenceResult inference;
  try {
    stop_point();
    InferenceInput in;
    in.estimate = opt.x;
    in.start = start;
    in.observations = total_rows;
    in.hessian = n * objective.hessian(opt.x);
    stop_point();
    in.names = names;
    in.continue_from = [&](const Eigen::VectorXd& x) {
      OptimizerOptions further = config.fit.optimizer;
      if (further.method != "newton") further.method = "lbfgs";
      further.tolerance *= 1e-3;
      further.max_iterations = 200;
      OptimizerResult continued = minimize(objective, x, further);
      if (continued.status == OptimizerStatus::interrupted) throw StopRequested();
      return continued.x;
    };
    auto total_nll = [&](const Eigen::VectorXd& x) {
      Eigen::VectorXd g;
      const double value = n * objective.value_gradient(x, g);
      stop_point();
      return value;
    };
    inference = infer(in, total_nll);
  } catch (const StopRequested&) {
    r.interrupted = true;
    r.inference = Inference::not_computed;
    r.inference_note = "the standard errors were interrupted (a stop request came while they were computed), so "
                       "none are reported; the estimate is the optimizer's";
    r.inference_seconds = seconds_since(inference_start);
    return r;
  }
  r.inference = inference.inference;
  r.inference_note = inference.note;
  r.diverging_parameters = inference.diverging;
  r.diverging_signs = inference.diverging_signs;
  if (inference.inference == Inference::no_finite_mle) r.converged = false;  // there is nothing to converge to
  r.flat_parameters = inference.flat;
  if (inference.inference == Inference::standard_errors) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      // A log-scale parameter's error by the delta method: se(exp u) = exp(u) se(u).
      const double se = inference.std_errors[static_cast<Eigen::Index>(j)];
      r.parameters[j].std_error = model.log_scale()[j] ? r.parameters[j].value * se : se;
    }
  }
  r.inference_seconds = seconds_since(inference_start);
  return r;
}

}  // namespace tapegrad::models
