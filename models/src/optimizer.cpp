#include "tapegrad/models/optimizer.hpp"

#include <atomic>

#include "optimizers/progress.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>

namespace tapegrad::models {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using detail::finite;
using detail::max_abs;
using detail::number;
using detail::Progress;

// Strong Wolfe constants (Nocedal & Wright, ch. 3): sufficient decrease and curvature.
constexpr double kArmijo = 1e-4;     // c1
constexpr double kCurvature = 0.9;   // c2
constexpr double kMinStep = 1e-20;   // below this a line search has given up
constexpr double kMaxStep = 1e20;
constexpr double kMaxFirstStep = 1e10;  // cap on alpha = 1 / |g| for a step of length 1
constexpr int kMaxBracketEvaluations = 30;
constexpr int kMaxZoomEvaluations = 40;
constexpr int kMaxBacktracks = 80;
constexpr int kMaxDampings = 60;  // lambda grows 10x per try: 1e-8 * max diag * 1e60 is plenty
// Two values closer than this (relative) are treated as equal up to rounding; see value_change.
constexpr double kValueNoise = 1e-12;

// ---------------------------------------------------------------------------------------------
// Line searches on phi(a) = f(x + a d).

struct LinePoint {
  double step = 0;
  double value = 0;  // phi(step)
  double slope = 0;  // phi'(step) = g(x + step d)' d
  bool finite = true;
  VectorXd x, g;     // the point and its gradient, so an accepted step needs no new evaluation
};

class Line {
 public:
  Line(Progress& progress, const LinePoint& origin, const VectorXd& direction)
      : progress_(progress), origin_(origin), direction_(direction) {}

  const LinePoint& origin() const { return origin_; }

  LinePoint at(double step) {
    LinePoint p;
    p.step = step;
    p.x = origin_.x + step * direction_;
    p.value = progress_.evaluate(p.x, p.g);
    p.finite = finite(p.value, p.g) && p.g.size() == p.x.size();
    p.slope = p.finite ? p.g.dot(direction_) : std::numeric_limits<double>::quiet_NaN();
    return p;
  }

 private:
  Progress& progress_;
  const LinePoint& origin_;
  const VectorXd& direction_;
};

// phi(a) - phi(b). Close to a minimiser the true difference falls below the rounding error of f
// (f - f* ~ |g|^2 / curvature, 1e-20 at |g| = 1e-10), and comparing values is a coin toss; there
// the trapezoid rule on the slopes, (a - b)(phi'(a) + phi'(b)) / 2, is the better estimate (exact
// for a quadratic). With it, Armijo becomes phi'(a) <= (1 - 2 c1) |phi'(0)|: Hager & Zhang's
// approximate Wolfe condition.
double value_change(const LinePoint& a, const LinePoint& b) {
  const double difference = a.value - b.value;
  if (std::abs(difference) > kValueNoise * (std::abs(a.value) + std::abs(b.value))) return difference;
  return 0.5 * (a.step - b.step) * (a.slope + b.slope);
}

// Sufficient decrease (Armijo):  phi(a) <= phi(0) + c1 a phi'(0).
bool sufficient_decrease(const LinePoint& p, const LinePoint& origin) {
  return p.finite && value_change(p, origin) <= kArmijo * p.step * origin.slope;
}

// Strong curvature condition:  |phi'(a)| <= c2 |phi'(0)|.
bool strong_curvature(const LinePoint& p, const LinePoint& origin) {
  return std::abs(p.slope) <= -kCurvature * origin.slope;
}

// Minimiser of the cubic matching phi and phi' at a and b (Nocedal & Wright eq. 3.59):
//   d1 = phi'(a) + phi'(b) - 3 (phi(a) - phi(b)) / (a - b),  d2 = sign(b - a) sqrt(d1^2 - phi'(a) phi'(b)),
//   a+ = b - (b - a) (phi'(b) + d2 - d1) / (phi'(b) - phi'(a) + 2 d2).
// NaN when the cubic has no minimiser.
double cubic_minimizer(const LinePoint& a, const LinePoint& b) {
  const double d1 = a.slope + b.slope - 3 * value_change(a, b) / (a.step - b.step);
  const double discriminant = d1 * d1 - a.slope * b.slope;
  if (!(discriminant >= 0)) return std::numeric_limits<double>::quiet_NaN();
  const double d2 = std::copysign(std::sqrt(discriminant), b.step - a.step);
  return b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2);
}

// The next trial inside the bracket [lo, hi] (either order): the cubic minimiser kept at least a
// tenth of the width away from both ends, so the bracket shrinks; the midpoint when hi is
// not finite (nothing to interpolate: only "too far" is known).
double zoom_trial(const LinePoint& lo, const LinePoint& hi) {
  const double left = std::min(lo.step, hi.step), right = std::max(lo.step, hi.step);
  const double width = right - left, midpoint = left + 0.5 * width;
  if (!hi.finite) return midpoint;
  const double trial = cubic_minimizer(lo, hi);
  if (!std::isfinite(trial)) return midpoint;
  return std::clamp(trial, left + 0.1 * width, right - 0.1 * width);
}

// Algorithm 3.6 of Nocedal & Wright. Invariants: lo satisfies sufficient decrease and has the
// lowest value seen; phi'(lo) (hi - lo) < 0, or hi is not finite (treated as too far).
std::optional<LinePoint> zoom(Line& line, LinePoint lo, LinePoint hi, std::string& why) {
  const LinePoint& origin = line.origin();
  for (int i = 0; i < kMaxZoomEvaluations; ++i) {
    const double width = std::abs(hi.step - lo.step);
    if (std::max(lo.step, hi.step) < kMinStep) {
      why = "step below " + number(kMinStep);
      break;
    }
    if (width <= 4 * std::numeric_limits<double>::epsilon() * std::max(lo.step, hi.step)) {
      why = "the bracket shrank to the resolution of the step";
      break;
    }
    LinePoint p = line.at(zoom_trial(lo, hi));
    if (!sufficient_decrease(p, origin) || value_change(p, lo) >= 0) {
      hi = std::move(p);
      continue;
    }
    if (strong_curvature(p, origin)) return p;
    if (p.slope * (hi.step - lo.step) >= 0) hi = std::move(lo);
    lo = std::move(p);
  }
  if (why.empty()) why = "no strong Wolfe point in " + std::to_string(kMaxZoomEvaluations) + " evaluations";
  // The curvature condition could not be met, but lo lowers f sufficiently: take that progress.
  if (lo.step > 0) return lo;
  why += ", and f does not decrease along the search direction";
  return std::nullopt;
}

// Algorithm 3.5 of Nocedal & Wright: a step satisfying the strong Wolfe conditions
//   phi(a) <= phi(0) + c1 a phi'(0)   and   |phi'(a)| <= c2 |phi'(0)|,   c1 = 1e-4, c2 = 0.9.
// Grows the step until the minimum is bracketed, then zooms. A trial with non-finite f or g
// counts as "too far". nullopt (and why) when no step lowers f.
std::optional<LinePoint> wolfe_line_search(Line& line, double step, std::string& why) {
  const LinePoint& origin = line.origin();
  LinePoint previous = origin;
  for (int i = 0; i < kMaxBracketEvaluations; ++i) {
    LinePoint p = line.at(step);
    if (!sufficient_decrease(p, origin) || (i > 0 && value_change(p, previous) >= 0))
      return zoom(line, std::move(previous), std::move(p), why);
    if (strong_curvature(p, origin)) return p;
    if (p.slope >= 0) return zoom(line, std::move(p), std::move(previous), why);
    // Still going down steeply: extrapolate (cubic through the last two points, 2x to 10x).
    const double next = cubic_minimizer(previous, p);
    const double grown = std::isfinite(next) ? std::clamp(next, 2 * step, 10 * step) : 4 * step;
    previous = std::move(p);
    if (previous.step >= kMaxStep) break;
    step = std::min(grown, kMaxStep);
  }
  why = "f keeps decreasing steeply up to step " + number(previous.step) + " (unbounded below?)";
  return previous;  // sufficient decrease holds: accept the progress
}

// Backtracking from step 1 until sufficient decrease (Armijo) holds. Each reduction is the
// minimiser of the quadratic through phi(0), phi'(0), phi(a), kept in [0.1 a, 0.5 a]; halving
// when phi(a) is not finite.
std::optional<LinePoint> backtracking_line_search(Line& line, std::string& why) {
  const LinePoint& origin = line.origin();
  double step = 1;
  for (int i = 0; i < kMaxBacktracks && step >= kMinStep; ++i) {
    LinePoint p = line.at(step);
    if (sufficient_decrease(p, origin)) return p;
    double next = 0.5 * step;
    if (p.finite) {
      const double excess = value_change(p, origin) - origin.slope * step;  // > 0: curvature
      const double quadratic = -origin.slope * step * step / (2 * excess);
      if (std::isfinite(quadratic)) next = std::clamp(quadratic, 0.1 * step, 0.5 * step);
    }
    step = next;
  }
  why = "no step down to " + number(kMinStep) + " lowers f (at machine precision)";
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// L-BFGS

// The last `capacity` pairs s = x+ - x, y = g+ - g, applied by the two-loop recursion.
class LbfgsMemory {
 public:
  explicit LbfgsMemory(int capacity) : capacity_(static_cast<std::size_t>(capacity)) {}

  bool empty() const { return pairs_.empty(); }
  void clear() { pairs_.clear(); }

  // Skipped unless s'y > 1e-10 |s| |y|: the update keeps H positive definite only when s'y > 0.
  void push(VectorXd s, VectorXd y) {
    const double sy = s.dot(y);
    if (!(sy > 1e-10 * s.norm() * y.norm())) return;
    if (pairs_.size() == capacity_) pairs_.pop_front();
    pairs_.push_back({std::move(s), std::move(y), 1 / sy});
  }

  // H g, with H the L-BFGS inverse Hessian (Nocedal & Wright, Algorithm 7.4):
  //   q = g;  for i newest..oldest: alpha_i = rho_i s_i'q,  q -= alpha_i y_i      (rho_i = 1 / y_i's_i)
  //   r = gamma q,  gamma = s'y / y'y of the newest pair (initial H0 = gamma I)
  //   for i oldest..newest: beta = rho_i y_i'r,  r += (alpha_i - beta) s_i
  VectorXd apply(const VectorXd& g) const {
    VectorXd q = g;
    std::vector<double> alpha(pairs_.size());
    for (std::size_t i = pairs_.size(); i-- > 0;) {
      alpha[i] = pairs_[i].rho * pairs_[i].s.dot(q);
      q -= alpha[i] * pairs_[i].y;
    }
    const Pair& newest = pairs_.back();
    q *= 1 / (newest.rho * newest.y.squaredNorm());
    for (std::size_t i = 0; i < pairs_.size(); ++i) {
      const double beta = pairs_[i].rho * pairs_[i].y.dot(q);
      q += (alpha[i] - beta) * pairs_[i].s;
    }
    return q;
  }

 private:
  struct Pair {
    VectorXd s, y;
    double rho;
  };
  std::size_t capacity_;
  std::deque<Pair> pairs_;
};

void run_lbfgs(Progress& progress, LinePoint current) {
  LbfgsMemory memory(progress.options().memory);
  for (;;) {
    std::optional<LinePoint> next;
    std::string why;
    // Try the quasi-Newton direction; if its line search fails, forget the memory and retry once
    // along -g (the memory may describe curvature from far away).
    for (bool steepest = memory.empty(); !next; steepest = true) {
      VectorXd direction = steepest ? VectorXd(-current.g) : VectorXd(-memory.apply(current.g));
      current.slope = current.g.dot(direction);
      if (!steepest && !(current.slope < 0)) {  // rounding made H g useless
        memory.clear();
        continue;
      }
      // From -g, a step of length 1; a quasi-Newton step is already scaled (gamma).
      const double step = steepest ? std::min(1 / current.g.norm(), kMaxFirstStep) : 1.0;
      Line line(progress, current, direction);
      why.clear();
      next = wolfe_line_search(line, step, why);
      if (steepest) break;
      if (!next) memory.clear();
    }
    if (!next) return progress.line_search_failed(why);
    memory.push(next->x - current.x, next->g - current.g);
    current = std::move(*next);
    current.step = 0;
    if (!progress.accept(current.x, current.value, current.g)) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Newton

// Solves (H + lambda I) d = -g with lambda = 0 when H is positive definite (LLT succeeds), else
// lambda = 1e-8 max|diag H|, times 10 until it does. Empty when no lambda works.
VectorXd damped_newton_direction(const MatrixXd& h, const VectorXd& g) {
  Eigen::LLT<MatrixXd> llt(h);
  if (llt.info() == Eigen::Success) return -llt.solve(g);
  const double scale = h.size() == 0 ? 1.0 : h.diagonal().cwiseAbs().maxCoeff();
  double lambda = 1e-8 * (scale > 0 ? scale : 1.0);
  MatrixXd damped = h;
  for (int i = 0; i < kMaxDampings; ++i, lambda *= 10) {
    damped.diagonal() = h.diagonal().array() + lambda;
    llt.compute(damped);
    if (llt.info() == Eigen::Success) return -llt.solve(g);
  }
  return VectorXd();
}

void run_newton(Progress& progress, LinePoint current) {
  const Eigen::Index p = current.x.size();
  for (;;) {
    const MatrixXd h = progress.hessian(current.x);
    if (progress.iterations() == 0) progress.require_finite_start_hessian(h);
    // Where H is not finite (or no damping helps), a steepest-descent step instead.
    VectorXd direction = h.allFinite() ? damped_newton_direction(h, current.g) : VectorXd();
    if (direction.size() != p || !direction.allFinite()) direction = -current.g / std::max(max_abs(current.g), 1e-300);
    current.slope = current.g.dot(direction);
    Line line(progress, current, direction);
    std::string why;
    std::optional<LinePoint> next = backtracking_line_search(line, why);
    if (!next) return progress.line_search_failed(why);
    current = std::move(*next);
    current.step = 0;
    if (!progress.accept(current.x, current.value, current.g)) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Mini-batch methods (adam, sgd)

// Fisher-Yates with an unbiased bounded draw (rejection), written out so the order depends only
// on mt19937_64, whose output the standard fixes, and not on the library's std::shuffle.
void shuffle(std::vector<std::size_t>& order, std::mt19937_64& rng) {
  for (std::size_t i = order.size(); i > 1; --i) {
    const std::uint64_t bound = i, limit = std::numeric_limits<std::uint64_t>::max() -
                                           std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t draw;
    do draw = rng();
    while (draw >= limit);
    std::swap(order[i - 1], order[draw % bound]);
  }
}

// One iteration = one epoch: every row once, in batches of batch_size rows of a fresh shuffle;
// `update(x, g)` applies one step from a batch gradient. Afterwards the full objective decides.
template <class Update>
void run_epochs(Progress& progress, VectorXd x, Update update) {
  const std::size_t n = progress.objective().observations();
  const std::size_t batch = progress.options().batch_size == 0 ? n : progress.options().batch_size;
  std::vector<std::size_t> order(n), rows;
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(progress.options().seed);
  VectorXd g;
  for (;;) {
    shuffle(order, rng);
    for (std::size_t begin = 0; begin < n; begin += batch) {
      rows.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                  order.begin() + static_cast<std::ptrdiff_t>(std::min(begin + batch, n)));
      progress.evaluate_batch(x, rows, g);
      if (g.size() != x.size() || !g.allFinite()) return progress.diverge("a mini-batch gradient is not finite");
      update(x, g);
      if (!x.allFinite()) return progress.diverge("the parameters became non-finite");
    }
    const double f = progress.evaluate(x, g);
    if (!finite(f, g)) return progress.diverge("the objective or its gradient is not finite after the epoch");
    if (!progress.accept(x, f, g)) return;
  }
}

// Adam (Kingma & Ba): m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
//   x -= lr m^ / (sqrt(v^) + eps)  with bias corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t).
void run_adam(Progress& progress, VectorXd x0) {
  const OptimizerOptions& o = progress.options();
  VectorXd m = VectorXd::Zero(x0.size()), v = VectorXd::Zero(x0.size());
  double beta1_t = 1, beta2_t = 1;  // b1^t, b2^t
  run_epochs(progress, std::move(x0), [&](VectorXd& x, const VectorXd& g) {
    beta1_t *= o.beta1;
    beta2_t *= o.beta2;
    m = o.beta1 * m + (1 - o.beta1) * g;
    v = o.beta2 * v + (1 - o.beta2) * g.cwiseAbs2();
    x.array() -= o.learning_rate * (m.array() / (1 - beta1_t)) / ((v.array() / (1 - beta2_t)).sqrt() + o.epsilon);
  });
}

// SGD with heavy-ball momentum: v = mu v + g,  x -= lr v  (mu = 0: plain SGD).
void run_sgd(Progress& progress, VectorXd x0) {
  const OptimizerOptions& o = progress.options();
  VectorXd velocity = VectorXd::Zero(x0.size());
  run_epochs(progress, std::move(x0), [&](VectorXd& x, const VectorXd& g) {
    velocity = o.momentum * velocity + g;
    x -= o.learning_rate * velocity;
  });
}

void validate(const Objective& objective, const VectorXd& x0, const OptimizerOptions& o) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("minimize: " + what); };
  const std::string& m = o.method;
  const bool stochastic = m == "adam" || m == "sgd";
  if (m != "auto" && m != "trust_region" && m != "trust_region_cg" && m != "lbfgs" && m != "newton" && !stochastic)
    fail("unknown method \"" + m + "\" (expected auto, trust_region, trust_region_cg, lbfgs, newton, adam or sgd)");
  if (o.max_iterations < 0) fail("max_iterations must be >= 0, got " + std::to_string(o.max_iterations));
  if (!(o.tolerance > 0)) fail("tolerance must be > 0, got " + number(o.tolerance));
  if (o.memory < 1) fail("memory must be >= 1, got " + std::to_string(o.memory));
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    fail("learning_rate must be a finite number > 0, got " + number(o.learning_rate));
  if (!(o.momentum >= 0 && o.momentum < 1)) fail("momentum must be in [0, 1), got " + number(o.momentum));
  if (!(o.beta1 >= 0 && o.beta1 < 1)) fail("beta1 must be in [0, 1), got " + number(o.beta1));
  if (!(o.beta2 >= 0 && o.beta2 < 1)) fail("beta2 must be in [0, 1), got " + number(o.beta2));
  if (!(o.epsilon > 0)) fail("epsilon must be > 0, got " + number(o.epsilon));
  if (x0.size() != objective.dimension())
    fail("x0 has " + std::to_string(x0.size()) + " entries but the objective has " +
         std::to_string(objective.dimension()) + " parameters");
  if (stochastic && objective.observations() == 0) fail(m + " needs observations to draw batches from");
  if (stochastic && o.batch_size > objective.observations())
    fail("batch_size " + std::to_string(o.batch_size) + " exceeds the " + std::to_string(objective.observations()) +
         " observations");
}

}  // namespace

std::string to_string(OptimizerStatus status) {
  switch (status) {
    case OptimizerStatus::converged:
      return "converged";
    case OptimizerStatus::max_iterations:
      return "max_iterations";
    case OptimizerStatus::diverged:
      return "diverged";
    case OptimizerStatus::line_search_failed:
      return "line_search_failed";
    case OptimizerStatus::interrupted:
      return "interrupted";
  }
  return "unknown";
}

namespace {
std::atomic<bool> stop_flag{false};  // lock-free, so a signal handler may set it
}

void request_stop() { stop_flag.store(true, std::memory_order_relaxed); }
bool stop_requested() { return stop_flag.load(std::memory_order_relaxed); }
void clear_stop() { stop_flag.store(false, std::memory_order_relaxed); }
bool Objective::should_stop() const { return stop_requested(); }

// Central differences of the gradient along v: H v = (g(x + h v) - g(x - h v)) / (2 h) + O(h^2),
// h = eps^(1/3) (1 + |x|) / |v| balancing truncation against rounding.
Eigen::VectorXd Objective::hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  const double v_norm = v.norm();
  if (v_norm == 0) return VectorXd::Zero(x.size());
  const double h = std::cbrt(std::numeric_limits<double>::epsilon()) * (1 + x.norm()) / v_norm;
  VectorXd g_plus, g_minus;
  value_gradient(x + h * v, g_plus);
  value_gradient(x - h * v, g_minus);
  return (g_plus - g_minus) / (2 * h);
}

std::string resolve_method(const std::string& method, Eigen::Index p) {
  if (method != "auto") return method;
  return p <= kTrustRegionMaxParameters ? "trust_region" : "lbfgs";
}

OptimizerResult minimize(Objective& objective, const Eigen::VectorXd& x0, const OptimizerOptions& requested,
                         const IterationCallback& on_iteration) {
  validate(objective, x0, requested);
  OptimizerOptions options = requested;
  options.method = resolve_method(requested.method, x0.size());
  OptimizerResult result;
  result.method = options.method;
  Progress progress(objective, options, on_iteration, result);
  if (options.method == "trust_region") progress.use_decrement_test();
  try {
    if (!progress.start(x0)) return result;
    if (options.method == "trust_region") {
      detail::run_trust_region(progress);
    } else if (options.method == "trust_region_cg") {
      detail::run_trust_region_cg(progress);
    } else if (options.method == "adam") {
      run_adam(progress, result.x);
    } else if (options.method == "sgd") {
      run_sgd(progress, result.x);
    } else {
      LinePoint start;
      start.x = result.x;
      start.value = result.value;
      start.g = result.gradient;
      if (options.method == "newton") {
        run_newton(progress, std::move(start));
      } else {
        run_lbfgs(progress, std::move(start));
      }
    }
  } catch (const StopRequested&) {  // a Hessian stopped between columns
    progress.interrupt();
  }
  return result;
}

}  // namespace tapegrad::models
