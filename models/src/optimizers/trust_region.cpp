// trust_region: Newton's method with the exact Hessian in a scaled trust region.
//
// Each iteration minimises the quadratic model m(s) = g's + s'Hs/2 over |D s| <= radius, where
// D = diag(d), d_j = max over the iterations so far of sqrt|H_jj| (More's scaling, as in
// MINPACK): in the variables u = D s the model's Hessian has unit diagonal, so multiplying a
// parameter by 1000 leaves the steps, the iterations and the result (in its own units) the same.
// The subproblem is solved exactly (trust_region_subproblem.hpp), indefinite H and the hard
// case included, so negative curvature is followed, not damped away. A step is taken when the
// actual decrease of f is at least 1e-4 of the model's; the radius shrinks to a quarter of the
// step when it is below a quarter, and grows to twice the step when it is above 3/4. A trial
// point where f, g or H cannot be evaluated (a domain error, NaN, infinity) is a failed step.
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "progress.hpp"
#include "trust_region_subproblem.hpp"

namespace tapegrad::models::detail {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kAccept = 1e-4;  // eta: the least ratio of actual to predicted decrease taken
constexpr double kShrinkBelow = 0.25, kGrowAbove = 0.75;
// Two values closer than this (relative) are equal up to rounding: the decrease is then
// estimated from the gradients by the trapezoid rule, -(g + g+)'s / 2 (exact for a quadratic).
constexpr double kValueNoise = 1e-12;

// d_j = max(d_j, sqrt|H_jj|); a zero entry (no curvature seen yet) takes the smallest positive
// one, or 1.
void update_scaling(VectorXd& d, const MatrixXd& h) {
  const VectorXd now = h.diagonal().cwiseAbs().cwiseSqrt();
  d = d.size() == 0 ? now : VectorXd(d.cwiseMax(now));
  double smallest = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < d.size(); ++j)
    if (d[j] > 0) smallest = std::min(smallest, d[j]);
  for (Eigen::Index j = 0; j < d.size(); ++j)
    if (!(d[j] > 0)) d[j] = std::isfinite(smallest) ? smallest : 1.0;
}

// The quadratic model in the scaled eigenbasis: D^-1 H D^-1 = Q diag(lambda) Q', gamma = Q' D^-1 g.
struct ScaledModel {
  VectorXd lambda, gamma;
  MatrixXd q;
  ScaledModel(const MatrixXd& h, const VectorXd& g, const VectorXd& d) {
    const VectorXd inverse = d.cwiseInverse();
    const MatrixXd scaled = inverse.asDiagonal() * h * inverse.asDiagonal();
    Eigen::SelfAdjointEigenSolver<MatrixXd> eigen(0.5 * (scaled + scaled.transpose()));
    lambda = eigen.eigenvalues();
    q = eigen.eigenvectors();
    gamma = q.transpose() * inverse.cwiseProduct(g);
  }
  double decrement() const { return newton_decrement(lambda, gamma); }
};

// The decrease f(x) - f(x + s), from the values, or from the gradients where the values agree
// to rounding.
double actual_decrease(double f, const VectorXd& g, double f_new, const VectorXd& g_new, const VectorXd& s) {
  const double difference = f - f_new;
  if (std::abs(difference) > kValueNoise * (std::abs(f) + std::abs(f_new))) return difference;
  return -0.5 * (g + g_new).dot(s);
}

std::string refused(const Progress& progress) {
  return progress.last_refusal().empty() ? "" : " (last refused trial point: " + progress.last_refusal() + ")";
}

}  // namespace

void run_trust_region(Progress& progress) {
  VectorXd x = progress.result().x, g = progress.result().gradient;
  double f = progress.result().value;
  MatrixXd h = progress.hessian(x);
  progress.require_finite_start_hessian(h);
  VectorXd d;
  update_scaling(d, h);
  ScaledModel model(h, g, d);
  if (!progress.set_decrement(model.decrement(), &h)) return;

  // The first region holds the Newton step where H is positive definite (a failed trial costs
  // one evaluation, a region grown step by step costs a Hessian per step), else reaches the
  // origin (in scaled units), or is 1 at the origin.
  double radius = d.cwiseProduct(x).norm();
  if (model.lambda.size() > 0 && model.lambda[0] > 0)
    radius = std::max(radius, model.gamma.cwiseQuotient(model.lambda).norm());
  if (!(radius > 0) || !std::isfinite(radius)) radius = 1;
  for (;;) {
    const SubproblemStep sub = solve_subproblem(model.lambda, model.gamma, radius);
    const VectorXd s = d.cwiseInverse().cwiseProduct(model.q * sub.u);
    const double length = sub.u.norm();  // |D s|
    const VectorXd trial = x + s;
    if ((trial.array() == x.array()).all() || !(sub.predicted > 0))
      return progress.stalled("the trust region shrank until the step no longer changes f or the parameters" +
                              refused(progress));
    VectorXd g_new;
    const double f_new = progress.evaluate(trial, g_new);
    const bool evaluated = finite(f_new, g_new) && g_new.size() == x.size();
    const double ratio = evaluated ? actual_decrease(f, g, f_new, g_new, s) / sub.predicted : -1.0;
    if (ratio < kShrinkBelow) radius = kShrinkBelow * length;
    else if (ratio > kGrowAbove) radius = std::max(radius, 2 * length);
    if (!(ratio > kAccept)) continue;
    MatrixXd h_new = progress.hessian(trial);
    if (!h_new.allFinite()) {
      radius = kShrinkBelow * length;
      continue;
    }
    x = trial;
    f = f_new;
    g = std::move(g_new);
    h = std::move(h_new);
    update_scaling(d, h);
    model = ScaledModel(h, g, d);
    if (!progress.accept(x, f, g, model.decrement(), &h)) return;
  }
}

// ---------------------------------------------------------------------------------------------
// trust_region_cg: Steihaug-Toint truncated conjugate gradients on H v products (unscaled).

namespace {

// tau >= 0 with |z + tau p| = radius.
double to_boundary(const VectorXd& z, const VectorXd& p, double radius) {
  const double a = p.squaredNorm(), b = 2 * z.dot(p), c = z.squaredNorm() - radius * radius;
  return (-b + std::sqrt(std::max(0.0, b * b - 4 * a * c))) / (2 * a);
}

struct CgStep {
  VectorXd s;
  double predicted = 0;
};

// CG on H s = -g from s = 0, stopped at the boundary, at negative curvature (followed to the
// boundary), or when |H s + g| <= min(0.5, sqrt|g|) |g| (superlinear convergence near the end).
CgStep steihaug(Progress& progress, const VectorXd& x, const VectorXd& g, double radius) {
  const Eigen::Index p = x.size();
  CgStep out;
  VectorXd z = VectorXd::Zero(p), hz = VectorXd::Zero(p), r = g, direction = -g;
  const double g_norm = g.norm();
  const double target = std::min(0.5, std::sqrt(g_norm)) * g_norm;
  double rr = r.squaredNorm();
  const int max_steps = static_cast<int>(std::min<Eigen::Index>(2 * p + 10, 1000));
  for (int k = 0; k < max_steps; ++k) {
    const VectorXd hd = progress.hessian_vector(x, direction);
    if (!hd.allFinite()) {
      if (k == 0) {  // no curvature at all: a steepest-descent step to the boundary
        z = -radius / g_norm * g;
        hz.setZero();
      }
      break;
    }
    const double curvature = direction.dot(hd);
    if (!(curvature > 0)) {
      const double tau = to_boundary(z, direction, radius);
      z += tau * direction;
      hz += tau * hd;
      break;
    }
    const double alpha = rr / curvature;
    if ((z + alpha * direction).norm() >= radius) {
      const double tau = to_boundary(z, direction, radius);
      z += tau * direction;
      hz += tau * hd;
      break;
    }
    z += alpha * direction;
    hz += alpha * hd;
    r += alpha * hd;
    const double rr_new = r.squaredNorm();
    if (std::sqrt(rr_new) <= target) break;
    direction = -r + (rr_new / rr) * direction;
    rr = rr_new;
  }
  out.predicted = -(g.dot(z) + 0.5 * z.dot(hz));
  out.s = std::move(z);
  return out;
}

}  // namespace

void run_trust_region_cg(Progress& progress) {
  VectorXd x = progress.result().x, g = progress.result().gradient;
  double f = progress.result().value;
  double radius = x.norm();
  if (!(radius > 0) || !std::isfinite(radius)) radius = 1;
  for (;;) {
    const CgStep step = steihaug(progress, x, g, radius);
    const double length = step.s.norm();
    const VectorXd trial = x + step.s;
    if ((trial.array() == x.array()).all() || !(step.predicted > 0))
      return progress.stalled("the trust region shrank until the step no longer changes f or the parameters" +
                              refused(progress));
    VectorXd g_new;
    const double f_new = progress.evaluate(trial, g_new);
    const bool evaluated = finite(f_new, g_new) && g_new.size() == x.size();
    const double ratio = evaluated ? actual_decrease(f, g, f_new, g_new, step.s) / step.predicted : -1.0;
    if (ratio < kShrinkBelow) radius = kShrinkBelow * length;
    else if (ratio > kGrowAbove) radius = std::max(radius, 2 * length);
    if (!(ratio > kAccept)) continue;
    x = trial;
    f = f_new;
    g = std::move(g_new);
    if (!progress.accept(x, f, g)) return;
  }
}

}  // namespace tapegrad::models::detail
