#pragma once
// Minimisers for a smooth objective f: R^p -> R (here the mean negative log-likelihood).
//
//   lbfgs   limited-memory BFGS with a line search satisfying the strong Wolfe conditions
//           (the default; full batch)
//   newton  Newton steps with the exact Hessian, damped (H + lambda I) where H is not positive
//           definite, and a backtracking line search
//   adam    Adam on mini-batches of batch_size rows, reshuffled every epoch with `seed`
//   sgd     stochastic gradient descent with optional momentum, same batching
//
// Convergence means max_j |df/dx_j| < tolerance over the FULL objective (checked every
// iteration, or every epoch for adam/sgd). A non-finite value or gradient stops the run
// with status diverged and keeps the last parameters where both were finite.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tapegrad::models {

class Objective {
 public:
  virtual ~Objective() = default;
  virtual Eigen::Index dimension() const = 0;
  virtual std::size_t observations() const = 0;
  // f(x) over all observations, and its gradient into g (resized by the callee).
  virtual double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) = 0;
  // The same objective over the given rows only (a mini-batch; a mean over those rows).
  virtual double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                                      Eigen::VectorXd& g) = 0;
  // The exact Hessian of f at x (p x p). May throw StopRequested when a stop was requested.
  virtual Eigen::MatrixXd hessian(const Eigen::VectorXd& x) = 0;
  // Whether the run should stop: the process's stop request here; under mpirun the request as
  // the ranks agreed on it at the last evaluation, so every rank stops at the same point.
  virtual bool should_stop() const;
};

struct OptimizerOptions {
  std::string method = "lbfgs";  // lbfgs | newton | adam | sgd
  int max_iterations = 1000;     // iterations, or epochs for adam/sgd
  double tolerance = 1e-8;       // on max |gradient| of f
  int memory = 10;               // lbfgs: number of correction pairs kept
  double learning_rate = 0.01;   // adam, sgd
  double momentum = 0.0;         // sgd
  double beta1 = 0.9;            // adam
  double beta2 = 0.999;          // adam
  double epsilon = 1e-8;         // adam
  std::size_t batch_size = 0;    // adam, sgd: rows per step; 0 means all rows
  std::uint64_t seed = 0;        // adam, sgd: shuffling
};

enum class OptimizerStatus { converged, max_iterations, diverged, line_search_failed, interrupted };

// Asks every running minimize() to stop after its current iteration (status interrupted),
// keeping the best parameters so far, and a Hessian being computed to stop between two columns
// (StopRequested). Async-signal-safe: a SIGINT handler may call it. The request stays until
// clear_stop(), so one made while loading or between two stages is not lost: a minimize()
// started meanwhile stops after its first evaluation.
void request_stop();
bool stop_requested();
void clear_stop();

// Thrown by a computation that honoured a stop request midway (a Hessian between columns).
class StopRequested : public std::runtime_error {
 public:
  StopRequested() : std::runtime_error("stopped on request (an interrupt)") {}
};

std::string to_string(OptimizerStatus status);

struct IterationRecord {
  int iteration = 0;         // 0 is the starting point
  double value = 0;          // f over all observations
  double gradient_norm = 0;  // max |gradient|
  double seconds = 0;        // since minimize() started
};

struct OptimizerResult {
  Eigen::VectorXd x;         // the last point where f and its gradient were finite
  double value = 0;          // f(x)
  Eigen::VectorXd gradient;  // gradient at x
  int iterations = 0;
  int evaluations = 0;       // calls of value_gradient / batch_value_gradient
  OptimizerStatus status = OptimizerStatus::max_iterations;
  std::string message;       // one line a person can read, e.g. "converged: max |gradient| 3.1e-11 < 1e-10"
  std::vector<IterationRecord> history;  // one record per iteration (epoch), starting point included
};

// Called after every iteration (epoch) with its record.
using IterationCallback = std::function<void(const IterationRecord&)>;

// Throws std::invalid_argument for an unknown method or impossible options.
OptimizerResult minimize(Objective& objective, const Eigen::VectorXd& x0, const OptimizerOptions& options,
                         const IterationCallback& on_iteration = {});

}  // namespace tapegrad::models
