#include "trust_region_subproblem.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tapegrad::models::detail {

namespace {

using Eigen::Index;
using Eigen::VectorXd;
constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
// A gradient component this small relative to |gamma| is treated as zero (the hard case).
constexpr double kNegligible = 1e-12;
constexpr int kMaxSecularIterations = 200;

// Eigenvalues within this of zero are not told apart from it.
double resolution(const VectorXd& lambda) {
  return lambda.size() == 0 ? 0.0 : static_cast<double>(lambda.size()) * kEpsilon * lambda.cwiseAbs().maxCoeff();
}

double predicted_decrease(const VectorXd& lambda, const VectorXd& gamma, const VectorXd& u) {
  return -(gamma.dot(u) + 0.5 * lambda.dot(u.cwiseAbs2()));
}

// u(mu)_i = -gamma_i / (lambda_i + mu), with components where lambda_i + mu <= floor set to 0.
VectorXd shifted_step(const VectorXd& lambda, const VectorXd& gamma, double mu, double floor) {
  VectorXd u(lambda.size());
  for (Index i = 0; i < lambda.size(); ++i) u[i] = lambda[i] + mu > floor ? -gamma[i] / (lambda[i] + mu) : 0.0;
  return u;
}

}  // namespace

SubproblemStep solve_subproblem(const VectorXd& lambda, const VectorXd& gamma, double radius) {
  const Index p = lambda.size();
  SubproblemStep out;
  if (p == 0) {
    out.u = VectorXd(0);
    return out;
  }
  const double tiny = resolution(lambda);
  const double gamma_norm = gamma.norm();
  const double mu_low = std::max(0.0, -lambda[0]);
  // Components on which lambda_i + mu_low vanishes: their gradient decides the case.
  bool degenerate_gradient = false;
  for (Index i = 0; i < p && lambda[i] + mu_low <= tiny; ++i)
    degenerate_gradient = degenerate_gradient || std::abs(gamma[i]) > kNegligible * gamma_norm;

  if (!degenerate_gradient) {
    // The (pseudo-)Newton step at mu_low: inside the region, it is the answer for lambda >= 0;
    // for lambda_1 < 0 (the hard case) it is completed to the boundary along the lowest eigenvector.
    VectorXd u = shifted_step(lambda, gamma, mu_low, tiny);
    const double norm = u.norm();
    if (norm <= radius) {
      if (lambda[0] < -tiny) {
        const double tau = std::sqrt(std::max(0.0, radius * radius - norm * norm));
        u[0] += gamma[0] > 0 ? -tau : tau;
        out.boundary = true;
      }
      out.u = std::move(u);
      out.predicted = predicted_decrease(lambda, gamma, out.u);
      return out;
    }
  }
  // On the boundary: the root mu > mu_low of phi(mu) = 1/|u(mu)| - 1/radius, increasing and
  // concave, by Newton's method kept inside a shrinking bracket [lo, hi]. At hi every
  // lambda_i + hi >= |gamma| / radius, so |u(hi)| <= radius.
  double lo = mu_low, hi = mu_low + gamma_norm / radius + tiny;
  double mu = lambda[0] > tiny ? 0.0 : mu_low + 1e-8 * (hi - mu_low);
  VectorXd u;
  for (int k = 0; k < kMaxSecularIterations; ++k) {
    if (!(mu > lo || (mu == lo && lambda[0] + lo > tiny)) || !(mu < hi)) mu = 0.5 * (lo + hi);
    u = shifted_step(lambda, gamma, mu, 0.0);
    const double norm = u.norm();
    if (!std::isfinite(norm) || norm > radius) lo = mu;
    else hi = mu;
    if (std::isfinite(norm) && std::abs(norm - radius) <= 1e-12 * radius) break;
    if (!std::isfinite(norm)) continue;
    // phi'(mu) = sum gamma_i^2 / (lambda_i + mu)^3 / |u|^3
    double slope = 0;
    for (Index i = 0; i < p; ++i) slope += gamma[i] * gamma[i] / std::pow(lambda[i] + mu, 3);
    slope /= norm * norm * norm;
    const double next = mu - (1 / norm - 1 / radius) / slope;
    if (hi - lo <= 4 * kEpsilon * std::max(1.0, hi)) break;
    mu = next;
  }
  if (!u.allFinite()) u = shifted_step(lambda, gamma, hi, 0.0);
  const double norm = u.norm();
  if (norm > radius) u *= radius / norm;  // the last bracket end above the root: pull it in
  out.u = std::move(u);
  out.boundary = true;
  out.predicted = predicted_decrease(lambda, gamma, out.u);
  return out;
}

double newton_decrement(const VectorXd& lambda, const VectorXd& gamma) {
  if (lambda.size() == 0) return 0.0;
  const double tiny = resolution(lambda);
  if (lambda[0] < -tiny) return std::numeric_limits<double>::quiet_NaN();
  if (!(tiny > 0)) return gamma.norm() == 0 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (Index i = 0; i < lambda.size(); ++i) sum += gamma[i] * gamma[i] / std::max(lambda[i], tiny);
  return std::sqrt(sum);
}

}  // namespace tapegrad::models::detail
