#pragma once
// The trust-region subproblem in the eigenbasis of the (scaled) Hessian (internal):
//   min_u  gamma'u + u' diag(lambda) u / 2   subject to  |u| <= radius.
// More & Sorensen's characterisation: u = -(diag(lambda) + mu I)^-1 gamma with mu >= 0,
// lambda_i + mu >= 0 and mu (radius - |u|) = 0, the "hard case" (gamma orthogonal to the
// lowest eigenvector, lambda_1 < 0) completed along that eigenvector. With the eigenvalues at
// hand the secular equation 1/|u(mu)| = 1/radius costs O(p) per Newton step, so it is solved to
// rounding, and a rejected step is re-solved at a smaller radius without factorising again.
#include <Eigen/Core>

namespace tapegrad::models::detail {

struct SubproblemStep {
  Eigen::VectorXd u;      // in the eigenbasis
  double predicted = 0;   // -(gamma'u + u' diag(lambda) u / 2) >= 0: the model's decrease
  bool boundary = false;  // |u| = radius (else the Newton step, inside)
};

// `lambda` ascending (as Eigen's SelfAdjointEigenSolver gives them), radius > 0.
SubproblemStep solve_subproblem(const Eigen::VectorXd& lambda, const Eigen::VectorXd& gamma, double radius);

// sqrt(gamma' diag(lambda)^-1 gamma), the Newton decrement; eigenvalues below p eps max|lambda|
// count as that floor (a flat direction with no gradient adds nothing). NaN when lambda has a
// clearly negative entry (not a minimum: no decrement).
double newton_decrement(const Eigen::VectorXd& lambda, const Eigen::VectorXd& gamma);

}  // namespace tapegrad::models::detail
