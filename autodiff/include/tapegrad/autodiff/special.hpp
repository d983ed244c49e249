#pragma once
// Special functions on double that the standard library lacks, in numerically stable forms.
// These are the value formulas; the tape ops in scalar_ops.hpp reuse them.

#include <cmath>

namespace tapegrad {

// psi(x) = d/dx lgamma(x).
double digamma(double x);
// psi'(x).
double trigamma(double x);
// psi''(x); needed only as the derivative of trigamma in second-order sweeps.
double tetragamma(double x);

// 1 / (1 + exp(-x)), without overflow for any x.
inline double sigmoid(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}
inline double inv_logit(double x) { return sigmoid(x); }

// log(1 + exp(x)), exact for |x| large: x + log1p(exp(-x)) for x > 0.
inline double softplus(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}
inline double log1p_exp(double x) { return softplus(x); }

// log(sigmoid(x)) = -softplus(-x).
inline double log_sigmoid(double x) { return -softplus(-x); }

inline double square(double x) { return x * x; }

// log(exp(a) + exp(b)) without overflow.
inline double log_sum_exp(double a, double b) {
  if (a == -INFINITY && b == -INFINITY) return -INFINITY;
  return a > b ? a + std::log1p(std::exp(b - a)) : b + std::log1p(std::exp(a - b));
}

}  // namespace tapegrad
