#pragma once
// Minimisers for a smooth objective f: R^p -> R (here the mean negative log-likelihood).
//
//   auto             the default: trust_region for up to kTrustRegionMaxParameters parameters,
//                    lbfgs beyond (OptimizerResult::method says which ran)
//   trust_region     Newton with the exact Hessian in a trust region, variables scaled by
//                    D_j = max over iterations of sqrt|H_jj| (steps do not depend on units);
//                    the subproblem solved exactly (More-Sorensen, hard case included) in the
//                    eigenbasis of D^-1 H D^-1
//   trust_region_cg  truncated Newton: Steihaug-Toint conjugate gradients on Hessian-vector
//                    products in a trust region (no p x p matrix; for large models)
//   lbfgs            limited-memory BFGS with a line search satisfying the strong Wolfe conditions
//   newton           Newton steps with the exact Hessian, damped (H + lambda I) where H is not
//                    positive definite, and a backtracking line search
//   adam             Adam on mini-batches of batch_size rows, reshuffled every epoch with `seed`
//   sgd              stochastic gradient descent with optional momentum, same batching
//
// Convergence: for trust_region, the Newton decrement lambda = sqrt(g' H^-1 g) < tolerance
// (lambda^2 / 2 is the decrease of f still to come; it does not change when a parameter is
// rescaled); for the others, max_j |df/dx_j| < tolerance over the FULL objective (checked every
// iteration, or every epoch for adam/sgd).
//
// Trial points: where the objective throws std::domain_error, std::range_error,
// std::overflow_error or std::underflow_error, or gives a NaN or infinite value or gradient
// (or Hessian), the point is rejected and the step or trust region shrinks. At the starting
// point that is StartingPointError. A non-finite iterate of adam/sgd stops the run with status
// diverged and keeps the last parameters where f and g were finite.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
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
  // H(x) v, for trust_region_cg. The default differences two gradients (central, about 2/3 of
  // the digits); objectives recorded on the tape override it with the exact forward-over-reverse
  // product (tapegrad::hessian_vector).
  virtual Eigen::VectorXd hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v);
};

// auto picks trust_region up to this many parameters, lbfgs beyond (measured: bench/README.md).
constexpr Eigen::Index kTrustRegionMaxParameters = 200;

struct OptimizerOptions {
  std::string method = "auto";   // auto | trust_region | trust_region_cg | lbfgs | newton | adam | sgd
  int max_iterations = 1000;     // iterations, or epochs for adam/sgd
  double tolerance = 1e-8;       // on the Newton decrement (trust_region), else on max |gradient| of f
  int memory = 10;               // lbfgs: number of correction pairs kept
  double learning_rate = 0.01;   // adam, sgd
  double momentum = 0.0;         // sgd
  double beta1 = 0.9;            // adam
  double beta2 = 0.999;          // adam
  double epsilon = 1e-8;         // adam
  std::size_t batch_size = 0;    // adam, sgd: rows per step; 0 means all rows
  std::uint64_t seed = 0;        // adam, sgd: shuffling
};

// minimize() cannot start: at x0 the objective throws one of the errors above, or its value,
// gradient or (trust_region, newton) Hessian is not finite. what() says which and why.
class StartingPointError : public std::domain_error {
 public:
  StartingPointError(const std::string& what, std::string reason, std::vector<Eigen::Index> parameters)
      : std::domain_error(what), reason_(std::move(reason)), parameters_(std::move(parameters)) {}
  // What failed, e.g. "normal_lpdf: sigma must be positive and finite, got inf".
  const std::string& reason() const { return reason_; }
  // The parameters that are not finite in x0 or have a non-finite gradient there (may be empty).
  const std::vector<Eigen::Index>& parameters() const { return parameters_; }

 private:
  std::string reason_;
  std::vector<Eigen::Index> parameters_;
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
  double newton_decrement = std::numeric_limits<double>::quiet_NaN();  // sqrt(g' H^-1 g) where H was computed
};

struct OptimizerResult {
  Eigen::VectorXd x;         // the last point where f and its gradient were finite
  double value = 0;          // f(x)
  Eigen::VectorXd gradient;  // gradient at x
  int iterations = 0;
  int evaluations = 0;       // calls of value_gradient / batch_value_gradient
  int hessians = 0;          // calls of hessian
  int hessian_vectors = 0;   // calls of hessian_vector
  std::string method;        // the method that ran (auto resolved)
  // sqrt(g' H^-1 g) at x (trust_region, newton); NaN where no Hessian was computed there or H is
  // not positive semi-definite. lambda^2 / 2 predicts how much further f can fall.
  double newton_decrement = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd hessian;   // H at x when the method computed it there (trust_region, newton), else empty
  OptimizerStatus status = OptimizerStatus::max_iterations;
  std::string message;       // one line a person can read, e.g. "converged: max |gradient| 3.1e-11 < 1e-10"
  std::vector<IterationRecord> history;  // one record per iteration (epoch), starting point included
};

// Called after every iteration (epoch) with its record.
using IterationCallback = std::function<void(const IterationRecord&)>;

// The method `auto` runs for an objective with p parameters.
std::string resolve_method(const std::string& method, Eigen::Index p);

// Throws std::invalid_argument for an unknown method or impossible options, StartingPointError
// when the objective cannot be evaluated at x0.
OptimizerResult minimize(Objective& objective, const Eigen::VectorXd& x0, const OptimizerOptions& options,
                         const IterationCallback& on_iteration = {});

}  // namespace tapegrad::models
