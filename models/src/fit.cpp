#include "tapegrad/models/fit.hpp"

#include <Eigen/Eigenvalues>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <limits>
#include <memory>

#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"
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

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

// The first ten words, and how many more: a model of 100,000 features names no 100,000 parameters.
std::string join_first_ten(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size() && i < 10; ++i) out += (out.empty() ? "" : ", ") + words[i];
  if (words.size() > 10) out += " and " + std::to_string(words.size() - 10) + " more";
  return out;
}

// Whether x + t d, t >= 0, is a way to infinity along which the likelihood keeps improving (a
// direction of recession: separation): the negative log-likelihood f never rises beyond
// rounding for t = 1, 2, 4, ... 64, is still falling (or level) at the far end, and pulling back
// along -d raises it (so d is not merely a flat direction). The far end matters for a fit that
// stopped early: the way to a finite maximum goes down and then up again.
bool recedes(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x, const Eigen::VectorXd& d,
             double f0) {
  const double tol = 1e-9 * (1 + std::abs(f0));
  double previous = f0;
  for (double t = 1; t <= 64; t *= 2) {
    const double ft = f(x + t * d);
    if (!(ft <= f0 + tol)) return false;  // NaN counts as rising
    if (t == 64 && !(ft <= previous + tol)) return false;
    previous = ft;
  }
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
  if (p == 0) {  // nothing to estimate: the likelihood of a fixed model, and nothing to infer
    out.inference = Inference::standard_errors;
    out.std_errors = Eigen::VectorXd();
    out.newton_decrement = 0;
    return out;
  }
  const bool with_hessian = in.hessian.rows() == p && in.hessian.cols() == p;
  if (with_hessian && !in.hessian.allFinite()) {
    out.inference = Inference::not_computed;
    out.note = "the Hessian at the estimate is not finite";
    return out;
  }
  const double f0 = total_nll(in.estimate);
  // Candidate ways to infinity: where the optimizer travelled within the weak directions of the
  // Hessian (an optimizer that ran far into a separated region leaves its trail there; without
  // the Hessian, the whole way it travelled), and where a continued, tighter optimisation heads
  // (one that stopped early still has a pull outwards).
  std::vector<Eigen::VectorXd> candidates;
  const Eigen::VectorXd travelled_all = in.estimate - in.start;
  if (with_hessian) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(in.hessian);
    const Eigen::VectorXd& lambda = eigen.eigenvalues();  // ascending
    const Eigen::MatrixXd& v = eigen.eigenvectors();
    const double top = lambda.cwiseAbs().maxCoeff();
    // Directions of (nearly) no curvature are where separation lives (not those of negative
    // curvature: a fit stopped early far from the maximum has them). When the whole Hessian is
    // negligible per observation, every direction is.
    const bool negligible = top <= 1e-10 * static_cast<double>(std::max<std::size_t>(in.observations, 1));
    Eigen::VectorXd travelled = Eigen::VectorXd::Zero(p);
    for (Eigen::Index i = 0; i < p; ++i)
      if (negligible || std::abs(lambda[i]) <= 1e-8 * top) travelled += v.col(i).dot(travelled_all) * v.col(i);
    if (travelled.cwiseAbs().maxCoeff() > 0) candidates.push_back(travelled);
  } else if (travelled_all.cwiseAbs().maxCoeff() > 0) {
    candidates.push_back(travelled_all);
  }
  if (in.continue_from) {
    const Eigen::VectorXd step = in.continue_from(in.estimate) - in.estimate;
    if (step.cwiseAbs().maxCoeff() > 1e-3 * std::max(1.0, in.estimate.cwiseAbs().maxCoeff())) candidates.push_back(step);
  }
  for (const auto& d : candidates) {
    if (recedes(total_nll, in.estimate, d, f0)) {
      out.inference = Inference::no_finite_mle;
      out.diverging = names_where(d, in.names, &out.diverging_signs);
      out.note = "no finite maximum-likelihood estimate: the likelihood keeps increasing as " + join_first_ten(out.diverging) +
                 " go to infinity (the classes are separated by the features, or a count model has a "
                 "group of zeros); standard errors are meaningless here";
      return out;
    }
  }
  if (!with_hessian) {
    out.inference = Inference::not_computed;
    return out;
  }

  // The rest on the Hessian scaled to unit diagonal, S = D^-1/2 H D^-1/2 (D = |diag H|): its
  // eigenvalues do not depend on the units of the parameters, so a parameter of scale 1e-12 is
  // neither "flat" nor lost to rounding against one of scale 1.
  Eigen::VectorXd root = in.hessian.diagonal().cwiseAbs().cwiseSqrt();
  for (Eigen::Index j = 0; j < p; ++j)
    if (!(root[j] > 0) || !std::isfinite(1 / root[j])) root[j] = 1;
  const Eigen::VectorXd inverse_root = root.cwiseInverse();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen;
  {
    Eigen::MatrixXd scaled = inverse_root.asDiagonal() * in.hessian * inverse_root.asDiagonal();
    eigen.compute(scaled);
  }
  const Eigen::VectorXd& lambda = eigen.eigenvalues();  // ascending
  const Eigen::MatrixXd& v = eigen.eigenvectors();
  const double top = lambda.cwiseAbs().maxCoeff();
  std::vector<Eigen::Index> weak;
  for (Eigen::Index i = 0; i < p; ++i)
    if (lambda[i] <= 1e-8 * top) weak.push_back(i);

  // The Newton decrement g' H^-1 g / 2 = h' S^-1 h / 2 with h = D^-1/2 g, over the directions
  // that curve (a flat one is judged below, not here).
  if (in.gradient.size() == p) {
    const Eigen::VectorXd along = v.transpose() * inverse_root.cwiseProduct(in.gradient);
    double decrement = 0;
    for (Eigen::Index i = 0; i < p; ++i)
      if (lambda[i] > 1e-8 * top) decrement += 0.5 * along[i] * along[i] / lambda[i];
    out.newton_decrement = decrement;
  }

  // Not identifiable: the likelihood is exactly level along a weak direction.
  const double scale = std::max(1.0, root.cwiseProduct(in.estimate).cwiseAbs().maxCoeff());
  for (Eigen::Index i : weak) {
    const Eigen::VectorXd direction = inverse_root.cwiseProduct(v.col(i));
    if (level(total_nll, in.estimate, direction, f0, scale)) {
      out.inference = Inference::singular;
      out.flat = names_where(direction, in.names);
      out.note = "the Hessian is singular: the likelihood is flat along a direction involving " + join_first_ten(out.flat) +
                 ", so these parameters are not identifiable and have no standard errors";
      return out;
    }
  }
  if (!(lambda[0] > 0)) {
    out.inference = Inference::singular;
    out.note = "the Hessian is not positive definite at the estimate (not a maximum)";
    return out;
  }
  // Covariance = H^-1 = D^-1/2 V diag(1/lambda) V' D^-1/2 through the eigenvectors, so a badly
  // scaled H loses nothing to pivoting; only its diagonal is formed.
  out.std_errors.resize(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    double variance = 0;
    for (Eigen::Index i = 0; i < p; ++i) variance += v(j, i) * v(j, i) / lambda[i];
    out.std_errors[j] = std::sqrt(variance) * inverse_root[j];
  }
  out.inference = Inference::standard_errors;
  return out;
}

Convergence judge_convergence(const OptimizerResult& opt, double decrement, double tolerance, bool isolated_maximum) {
  // g' H^-1 g / 2 of the total log-likelihood (the optimizer's "Newton decrement" is the square
  // root of g' H^-1 g for the mean): named by what it means, so the two are not confused.
  const std::string measured = "at the estimate a Newton step would still gain " + number(decrement) +
                               " in log-likelihood";
  switch (opt.status) {
    case OptimizerStatus::converged:
      if (std::isnan(decrement)) return {true, opt.message};
      if (decrement <= tolerance) return {true, opt.message + "; " + measured + " (at most " + number(tolerance) + ")"};
      return {false, "did not converge: the optimizer stopped on its gradient test (" + opt.message + "), but " +
                         measured + " (more than " + number(tolerance) + ")" +
                         ": not a maximum yet (the parameters' scales differ by many orders of magnitude, which "
                         "hides the gradient; rescale the features, or try fit.optimizer newton)"};
    case OptimizerStatus::max_iterations:
    case OptimizerStatus::line_search_failed:
      // The absolute gradient test can be out of reach at the objective's scale (counts near 1e9):
      // a decrement this small says the estimate is the maximum all the same, provided it is an
      // isolated one (separated data end their run with a small decrement too, but a weak or
      // flat direction in the Hessian).
      if (decrement <= tolerance && isolated_maximum)
        return {true, "converged: " + measured + " (at most " + number(tolerance) + ")" + " (the optimizer's own test: " +
                          opt.message + ")"};
      {
        const std::string after = std::isnan(decrement) ? "" : "; " + measured + " (more than " + number(tolerance) + ")";
        if (opt.status == OptimizerStatus::line_search_failed) return {false, "did not converge: " + opt.message + after};
        const auto colon = opt.message.find(": ");
        return {false, "did not converge (iteration limit: " + std::to_string(opt.iterations) + " iterations)" +
                           (colon == std::string::npos ? "" : opt.message.substr(colon)) + after};
      }
    case OptimizerStatus::diverged:
    case OptimizerStatus::interrupted:
      return {false, opt.message};
  }
  return {false, opt.message};
}

FitResults fit(Experiment& experiment, const IterationCallback& on_iteration, const FitOptions& options) {
  const ExperimentConfig& config = experiment.config;
  const Model& model = *experiment.model;
  const Dataset& data = experiment.data;
  const std::size_t p = model.parameter_count();
  const bool with_hessian = p <= options.max_hessian_parameters;
  if (!with_hessian && config.fit.optimizer.method == "newton")
    fail_at(config.file, "/fit/optimizer",
            "newton needs the p x p Hessian at every step: p = " + std::to_string(p) + " parameters is above the limit of " +
                std::to_string(options.max_hessian_parameters) + " (" + number(8.0 * double(p) * double(p) / 1e9) +
                " GB per copy); use \"lbfgs\"");
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
  r.n_parameters = p;
  r.load_seconds = experiment.load_seconds;
  r.threads = local.shards();
  r.processes = experiment.communicator ? static_cast<std::size_t>(experiment.communicator->size()) : 1;

  Eigen::VectorXd start = model.initial_parameters(data, config.fit.optimizer.seed, config.fit.spread_init);
  // Every rank starts where rank 0 does (a family's start may read the rank's own rows).
  if (experiment.communicator) experiment.communicator->broadcast(start.data(), static_cast<std::size_t>(start.size()));
  const auto fit_start = std::chrono::steady_clock::now();
  OptimizerResult opt;
  try {
    opt = minimize(objective, start, config.fit.optimizer, on_iteration);
  } catch (const StartingPointError& e) {  // bad input: this data puts the start outside the domain
    std::string where;
    for (Eigen::Index j : e.parameters())
      where += (where.empty() ? "" : ", ") + model.parameter_names()[static_cast<std::size_t>(j)];
    throw InputError(config.file + ": the fit cannot start: " + e.reason() +
                     (where.empty() ? "" : " (not finite: " + where + ")") +
                     "; the model's starting values are outside the likelihood's domain for this data");
  }
  r.fit_seconds = seconds_since(fit_start);
  if (options.on_estimate) options.on_estimate();

  const auto n = static_cast<double>(total_rows);
  const auto k = static_cast<double>(r.n_parameters);
  r.optimizer = opt.method;  // the method that ran ("auto" resolved)
  r.status = opt.status;
  r.converged = false;
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
  // The Hessian is computed whatever fit.standard_errors says: the convergence check and the
  // no-finite-MLE analysis need it; the switch only hides the standard errors.
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
    in.gradient = n * opt.gradient;
    if (with_hessian && p > 0) {
      // The optimizer's own Hessian at its estimate (trust_region, newton), else computed here.
      in.hessian = opt.hessian.rows() == static_cast<Eigen::Index>(p) ? opt.hessian : objective.hessian(opt.x);
      in.hessian *= n;
    }
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
  r.inference_seconds = seconds_since(inference_start);
  r.newton_decrement = inference.newton_decrement;
  const Convergence convergence = judge_convergence(opt, inference.newton_decrement, options.newton_decrement_tolerance,
                                                    inference.inference == Inference::standard_errors);
  r.converged = convergence.converged;
  r.message = convergence.message;
  if (!with_hessian && r.converged)
    r.message += " (the Newton decrement was not checked: p = " + std::to_string(p) + " is above the Hessian limit of " +
                 std::to_string(options.max_hessian_parameters) + ")";

  r.inference = inference.inference;
  r.inference_note = inference.note;
  r.diverging_parameters = inference.diverging;
  r.diverging_signs = inference.diverging_signs;
  r.flat_parameters = inference.flat;
  if (inference.inference == Inference::no_finite_mle) {
    r.converged = false;  // there is nothing to converge to
    return r;
  }
  if (!r.converged) {
    // Whatever the Hessian says, it is not the Hessian at the MLE.
    r.inference = Inference::not_computed;
    r.inference_note = "the fit did not converge, so these are not maximum-likelihood estimates and nothing is "
                       "inferred from them";
    r.flat_parameters.clear();
    return r;
  }
  if (!with_hessian) {
    r.inference = Inference::not_computed;
    r.inference_note = "standard errors need the p x p Hessian: p = " + std::to_string(p) +
                       " is above the limit of " + std::to_string(options.max_hessian_parameters) +
                       " parameters (" + number(8.0 * double(p) * double(p) / 1e9) +
                       " GB per copy); set fit.standard_errors false, or fit a model with fewer parameters";
    return r;
  }
  if (inference.inference == Inference::standard_errors && !config.fit.standard_errors) {
    r.inference = Inference::not_computed;
    r.inference_note = "standard errors were not asked for (fit.standard_errors is false)";
    return r;
  }
  if (inference.inference == Inference::standard_errors) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      // A log-scale parameter's error by the delta method: se(exp u) = exp(u) se(u).
      const double se = inference.std_errors[static_cast<Eigen::Index>(j)];
      r.parameters[j].std_error = model.log_scale()[j] ? r.parameters[j].value * se : se;
    }
  }
  return r;
}

}  // namespace tapegrad::models
