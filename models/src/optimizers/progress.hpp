#pragma once
// What every optimizer shares (internal): counted and guarded evaluations, the history, the
// convergence test and the final status and message.
#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models::detail {

inline double max_abs(const Eigen::VectorXd& v) { return v.size() == 0 ? 0.0 : v.cwiseAbs().maxCoeff(); }

inline bool finite(double f, const Eigen::VectorXd& g) { return std::isfinite(f) && g.allFinite(); }

inline std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", v);
  return buffer;
}

// History, counters, the convergence test and the final status, shared by every method so that
// they all report the same way. The methods hand it each accepted iterate; it decides when to stop.
class Progress {
 public:
  Progress(Objective& objective, const OptimizerOptions& options, const IterationCallback& on_iteration,
           OptimizerResult& result);

  Objective& objective() { return objective_; }
  const OptimizerOptions& options() const { return options_; }
  int iterations() const { return result_.iterations; }
  const OptimizerResult& result() const { return result_; }  // x, f and g: the current point

  // f and g at x; NaN (value and every gradient entry) where the objective throws a domain,
  // range, overflow or underflow error there: such a point is rejected, never fatal.
  double evaluate(const Eigen::VectorXd& x, Eigen::VectorXd& g);
  double evaluate_batch(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows, Eigen::VectorXd& g);
  // H at x, NaN where the objective throws as above. Throws std::runtime_error for a wrong shape.
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x);
  // H(x) v, NaN where the objective throws as above.
  Eigen::VectorXd hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v);
  // The last reason an evaluation was refused (the exception's message), or "".
  const std::string& last_refusal() const { return last_refusal_; }

  // Evaluates and records the starting point; false when there is nothing left to do.
  // Throws StartingPointError where f or g is not finite (or the objective throws) at x0.
  bool start(const Eigen::VectorXd& x0);
  // The same for the Hessian at x0 (the Newton methods).
  void require_finite_start_hessian(const Eigen::MatrixXd& h);

  // Convergence by the Newton decrement (trust_region) instead of max |gradient|.
  void use_decrement_test() { decrement_test_ = true; }
  // Sets the Newton decrement at the current point (and its record), then checks convergence
  // again; false when the run should stop. Used for the starting point of the Newton methods.
  bool set_decrement(double decrement, const Eigen::MatrixXd* hessian = nullptr);

  // A new iterate (f and g finite): records it; false when the run should stop. `decrement` is
  // sqrt(g' H^-1 g) there when the method knows it (NaN otherwise); `hessian` H there, if known.
  bool accept(const Eigen::VectorXd& x, double f, const Eigen::VectorXd& g,
              double decrement = std::numeric_limits<double>::quiet_NaN(), const Eigen::MatrixXd* hessian = nullptr);

  // The best point so far becomes the result (the stochastic methods' last is not always it).
  void interrupt();
  // Stops on a non-finite value; result keeps the last accepted (finite) point.
  void diverge(const std::string& why);
  void line_search_failed(const std::string& why);
  // The trust region shrank until the step no longer changes x: converged when f cannot tell
  // the remaining decrease (lambda^2 / 2) from rounding, else a failure saying why.
  void stalled(const std::string& why);

 private:
  double gradient_norm() const { return max_abs(result_.gradient); }
  void set_point(const Eigen::VectorXd& x, double f, const Eigen::VectorXd& g);
  void record();
  bool keep_going();
  bool converged() const;
  void finish_converged(const std::string& how = "");
  void finish(OptimizerStatus status, std::string message);
  std::string measure() const;  // "Newton decrement 3e-11" or "max |gradient| 3e-11"

  Objective& objective_;
  const OptimizerOptions& options_;
  const IterationCallback& on_iteration_;
  OptimizerResult& result_;
  std::chrono::steady_clock::time_point started_;
  bool decrement_test_ = false;
  std::string last_refusal_;
  double best_value_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_x_, best_g_;
  int best_iteration_ = 0;
};

// The methods (each in its own file).
void run_trust_region(Progress& progress);
void run_trust_region_cg(Progress& progress);

}  // namespace tapegrad::models::detail
