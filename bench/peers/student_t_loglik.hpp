#pragma once
// The Student-t regression log-likelihood as a user writes it: a per-observation loop, generic
// in its scalar type T (double, tapegrad::Var, ADOL-C's adouble, Sacado's ADvar, ...). The same
// body as bench/scalar_student_t.cpp, with double literals so that every library accepts it.
//
// log p(y | x) = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma
//                - (nu+1)/2 log1p(z^2 / nu),   z = (y - a - b x) / sigma,
// theta = (a, b, log sigma, nu). A library without lgamma or log1p for its type gets them from
// its own source file (found by argument-dependent lookup).

#include <cmath>
#include <vector>

#include "problems.hpp"

namespace peers {

template <class T>
T student_t_loglik(const std::vector<T>& theta, const StudentTData& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& a = theta[0];
  const T& b = theta[1];
  const T sigma = exp(theta[2]);
  const T& nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  T ll = n * (lgamma((nu + 1.0) / 2.0) - lgamma(nu / 2.0) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const T z = (d.y[i] - (a + b * d.x[i])) / sigma;
    ll -= (nu + 1.0) / 2.0 * log1p(z * z / nu);
  }
  return ll;
}

}  // namespace peers
