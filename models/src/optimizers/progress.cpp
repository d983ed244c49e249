#include "progress.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace tapegrad::models::detail {

namespace {

using Clock = std::chrono::steady_clock;
using Eigen::MatrixXd;
using Eigen::VectorXd;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// Calls `evaluate`; where the objective says the point is outside its domain (a density's
// argument check, exp overflowing), stores the reason and returns false.
template <class F>
bool guarded(F&& evaluate, std::string& reason) {
  try {
    evaluate();
    return true;
  } catch (const std::domain_error& e) {
    reason = e.what();
  } catch (const std::range_error& e) {
    reason = e.what();
  } catch (const std::overflow_error& e) {
    reason = e.what();
  } catch (const std::underflow_error& e) {
    reason = e.what();
  }
  return false;
}

}  // namespace

Progress::Progress(Objective& objective, const OptimizerOptions& options, const IterationCallback& on_iteration,
                   OptimizerResult& result)
    : objective_(objective), options_(options), on_iteration_(on_iteration), result_(result),
      started_(Clock::now()) {}

double Progress::evaluate(const VectorXd& x, VectorXd& g) {
  ++result_.evaluations;
  double f = kNaN;
  if (!guarded([&] { f = objective_.value_gradient(x, g); }, last_refusal_)) {
    g = VectorXd::Constant(x.size(), kNaN);
    return kNaN;
  }
  return f;
}

double Progress::evaluate_batch(const VectorXd& x, const std::vector<std::size_t>& rows, VectorXd& g) {
  ++result_.evaluations;
  double f = kNaN;
  if (!guarded([&] { f = objective_.batch_value_gradient(x, rows, g); }, last_refusal_)) {
    g = VectorXd::Constant(x.size(), kNaN);
    return kNaN;
  }
  return f;
}

MatrixXd Progress::hessian(const VectorXd& x) {
  ++result_.hessians;
  const Eigen::Index p = x.size();
  MatrixXd h;
  if (!guarded([&] { h = objective_.hessian(x); }, last_refusal_)) return MatrixXd::Constant(p, p, kNaN);
  if (h.rows() != p || h.cols() != p)
    throw std::runtime_error("minimize: objective.hessian returned a " + std::to_string(h.rows()) + " x " +
                             std::to_string(h.cols()) + " matrix for " + std::to_string(p) + " parameters");
  return h;
}

VectorXd Progress::hessian_vector(const VectorXd& x, const VectorXd& v) {
  ++result_.hessian_vectors;
  VectorXd hv;
  if (!guarded([&] { hv = objective_.hessian_vector(x, v); }, last_refusal_) || hv.size() != x.size())
    return VectorXd::Constant(x.size(), kNaN);
  return hv;
}

bool Progress::start(const VectorXd& x0) {
  VectorXd g;
  last_refusal_.clear();
  const double f = evaluate(x0, g);
  if (!finite(f, g) || g.size() != x0.size()) {
    std::vector<Eigen::Index> parameters;
    std::string which;
    for (Eigen::Index j = 0; j < x0.size(); ++j) {
      const bool bad_gradient = g.size() == x0.size() && !std::isfinite(g[j]) && std::isfinite(f);
      if (std::isfinite(x0[j]) && !bad_gradient) continue;
      parameters.push_back(j);
      which += (which.empty() ? "" : ", ") + std::string("x0[") + std::to_string(j) + "] = " + number(x0[j]);
    }
    std::string reason = !last_refusal_.empty() ? last_refusal_
                         : !std::isfinite(f)     ? "the objective is " + number(f)
                         : g.size() != x0.size() ? "the gradient has " + std::to_string(g.size()) + " entries"
                                                 : "the gradient is not finite";
    throw StartingPointError("minimize: the fit cannot start: at the starting point " + reason +
                                 (which.empty() ? "" : " (" + which + ")"),
                             reason, std::move(parameters));
  }
  set_point(x0, f, g);
  record();
  return keep_going();
}

void Progress::require_finite_start_hessian(const MatrixXd& h) {
  if (h.allFinite()) return;
  const std::string reason = last_refusal_.empty() ? "the Hessian is not finite" : last_refusal_;
  throw StartingPointError("minimize: the fit cannot start: at the starting point " + reason, reason, {});
}

bool Progress::set_decrement(double decrement, const MatrixXd* hessian) {
  result_.newton_decrement = decrement;
  if (hessian) result_.hessian = *hessian;
  if (!result_.history.empty()) result_.history.back().newton_decrement = decrement;
  return keep_going();
}

bool Progress::accept(const VectorXd& x, double f, const VectorXd& g, double decrement, const MatrixXd* hessian) {
  ++result_.iterations;
  set_point(x, f, g);
  result_.newton_decrement = decrement;
  if (hessian) result_.hessian = *hessian;
  else result_.hessian.resize(0, 0);
  record();
  return keep_going();
}

void Progress::interrupt() {
  if (best_value_ < result_.value) {
    set_point(best_x_, best_value_, best_g_);
    result_.newton_decrement = kNaN;
    result_.hessian.resize(0, 0);
  }
  finish(OptimizerStatus::interrupted, "interrupted after " + std::to_string(result_.iterations) +
                                           " iterations: kept the best parameters so far (iteration " +
                                           std::to_string(best_iteration_) + ", f = " + number(result_.value) +
                                           ", " + measure() + ")");
}

void Progress::diverge(const std::string& why) {
  finish(OptimizerStatus::diverged, "diverged at iteration " + std::to_string(result_.iterations + 1) + ": " + why +
                                        "; kept the last finite parameters (iteration " +
                                        std::to_string(result_.iterations) + ", f = " + number(result_.value) + ")");
}

void Progress::line_search_failed(const std::string& why) {
  if (gradient_norm() < options_.tolerance) return finish_converged();
  finish(OptimizerStatus::line_search_failed, "line search failed at iteration " +
                                                  std::to_string(result_.iterations + 1) + ": " + why + "; " +
                                                  measure() + " > tolerance " + number(options_.tolerance));
}

void Progress::stalled(const std::string& why) {
  if (converged()) return finish_converged();
  // lambda^2 / 2 below the rounding of f: no method can tell a better point by its value.
  const double d = result_.newton_decrement;
  if (d * d / 2 <= 8 * kEpsilon * std::max(1.0, std::abs(result_.value)))
    return finish_converged(" (at machine precision: " + why + ")");
  if (gradient_norm() < options_.tolerance) return finish_converged(" (max |gradient| below tolerance; " + why + ")");
  finish(OptimizerStatus::line_search_failed, "stopped at iteration " + std::to_string(result_.iterations + 1) +
                                                  ": " + why + "; " + measure() + " > tolerance " +
                                                  number(options_.tolerance));
}

void Progress::set_point(const VectorXd& x, double f, const VectorXd& g) {
  result_.x = x;
  result_.value = f;
  result_.gradient = g;
}

void Progress::record() {
  if (result_.value < best_value_) {
    best_value_ = result_.value;
    best_x_ = result_.x;
    best_g_ = result_.gradient;
    best_iteration_ = result_.iterations;
  }
  IterationRecord r;
  r.iteration = result_.iterations;
  r.value = result_.value;
  r.gradient_norm = gradient_norm();
  r.newton_decrement = result_.newton_decrement;
  r.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  result_.history.push_back(r);
  if (on_iteration_) on_iteration_(r);
}

bool Progress::converged() const {
  if (decrement_test_) return result_.newton_decrement < options_.tolerance;  // NaN: not known yet
  return gradient_norm() < options_.tolerance;
}

bool Progress::keep_going() {
  if (objective_.should_stop()) {
    interrupt();
    return false;
  }
  if (converged()) {
    finish_converged();
    return false;
  }
  if (result_.iterations >= options_.max_iterations) {
    finish(OptimizerStatus::max_iterations, "did not converge in " + std::to_string(result_.iterations) +
                                                " iterations: " + measure() + " > tolerance " +
                                                number(options_.tolerance));
    return false;
  }
  return true;
}

std::string Progress::measure() const {
  std::string out = decrement_test_ ? "Newton decrement " + number(result_.newton_decrement)
                                    : "max |gradient| " + number(gradient_norm());
  if (decrement_test_) out += " (max |gradient| " + number(gradient_norm()) + ")";
  return out;
}

void Progress::finish_converged(const std::string& how) {
  std::string what = decrement_test_ ? "Newton decrement " + number(result_.newton_decrement)
                                     : "max |gradient| " + number(gradient_norm());
  const bool below = decrement_test_ ? result_.newton_decrement < options_.tolerance
                                     : gradient_norm() < options_.tolerance;
  std::string message = "converged in " + std::to_string(result_.iterations) + " iterations: " + what +
                        (below ? " < tolerance " + number(options_.tolerance) : "") + how;
  if (decrement_test_) message += ", max |gradient| " + number(gradient_norm());
  finish(OptimizerStatus::converged, std::move(message));
}

void Progress::finish(OptimizerStatus status, std::string message) {
  result_.status = status;
  result_.message = std::move(message);
}

}  // namespace tapegrad::models::detail
