#pragma once
// gradient, hessian and hessian_vector of a scalar function written once, generic in its
// scalar type:
//
//   template <class T> T f(const std::vector<T>& theta);      // or (const Eigen::Matrix<T,-1,1>&)
//   auto [value, grad] = tapegrad::gradient(f_lambda, theta);  // reverse mode
//   Eigen::MatrixXd H = tapegrad::hessian(f_lambda, theta);    // forward-over-reverse, exact
//
// f is called with T = double (by callers that only want the value), T = Var (gradient) and
// T = HVar (second order). Pass a generic lambda: [&](const auto& th) { return f(th, data); }.

#include <Eigen/Core>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapegrad/autodiff/scalar_ops.hpp"

namespace tapegrad {

struct GradientResult {
  double value;
  Eigen::VectorXd gradient;
};

struct HessianResult {
  double value;
  Eigen::VectorXd gradient;
  Eigen::MatrixXd hessian;
};

namespace detail {

// Calls f with the inputs as a std::vector<T> if it accepts one, else as an Eigen vector.
// (A generic lambda is tried with std::vector first: one whose body needs Eigen members must
// be a functor taking `const Eigen::Matrix<T, Eigen::Dynamic, 1>&`.)
template <class T, class F>
auto call_with(F& f, const std::vector<T>& inputs) {
  if constexpr (std::is_invocable_v<F&, const std::vector<T>&>) {
    return f(inputs);
  } else {
    Eigen::Matrix<T, Eigen::Dynamic, 1> v(static_cast<Eigen::Index>(inputs.size()));
    for (std::size_t i = 0; i < inputs.size(); ++i) v[static_cast<Eigen::Index>(i)] = inputs[i];
    return f(v);
  }
}

// A per-thread tape for the drivers, reused so repeated calls allocate nothing new. A driver
// called from inside f (nested) gets a fresh tape instead.
template <class Real>
struct DriverTape {
  Tape<Real> tape;
  int depth = 0;
};
template <class Real>
DriverTape<Real>& driver_tape() {
  static thread_local DriverTape<Real> t;
  return t;
}

// Records f at x (with tangent `direction`, for Dual) and sweeps back from its value.
// Returns f's value; the adjoints of the inputs are tape.adjoint(0..n-1).
template <class Real, class F>
Real record_and_sweep(Tape<Real>& tape, F& f, const Eigen::VectorXd& x, const Eigen::VectorXd* direction) {
  TapeScope<Real> scope(tape);
  tape.clear();
  std::vector<BasicVar<Real>> inputs;
  inputs.reserve(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if constexpr (std::is_same_v<Real, Dual>) {
      inputs.emplace_back(Dual(x[i], direction ? (*direction)[i] : 0.0));
    } else {
      inputs.emplace_back(x[i]);
    }
  }
  const BasicVar<Real> y = call_with(f, inputs);
  tape.backward(y.index());
  return y.value();
}

template <class Real, class Body>
auto with_driver_tape(Body body) {
  DriverTape<Real>& shared = driver_tape<Real>();
  if (shared.depth > 0) {
    Tape<Real> fresh;
    return body(fresh);
  }
  ++shared.depth;
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{shared.depth};
  return body(shared.tape);
}

}  // namespace detail

// Value and exact gradient of f at x, by one recording and one reverse sweep.
template <class F>
GradientResult gradient(F&& f, const Eigen::VectorXd& x) {
  return detail::with_driver_tape<double>([&](Tape<double>& tape) {
    GradientResult r;
    r.value = detail::record_and_sweep<double>(tape, f, x, nullptr);
    r.gradient.resize(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) r.gradient[i] = tape.adjoint(static_cast<Index>(i));
    return r;
  });
}

// The Hessian times v, exact: one recording with tangent v and one reverse sweep over duals.
template <class F>
Eigen::VectorXd hessian_vector(F&& f, const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  return detail::with_driver_tape<Dual>([&](Tape<Dual>& tape) {
    detail::record_and_sweep<Dual>(tape, f, x, &v);
    Eigen::VectorXd hv(x.size());
    for (Eigen::Index i = 0; i < x.size(); ++i) hv[i] = tape.adjoint(static_cast<Index>(i)).d;
    return hv;
  });
}

// Value, gradient and Hessian of f at x: n Hessian-vector products along the unit vectors.
// The result is symmetrised ((H + H^T) / 2), which only moves entries by rounding.
template <class F>
HessianResult value_gradient_hessian(F&& f, const Eigen::VectorXd& x) {
  return detail::with_driver_tape<Dual>([&](Tape<Dual>& tape) {
    const Eigen::Index n = x.size();
    HessianResult r;
    r.value = 0;
    r.gradient = Eigen::VectorXd::Zero(n);
    r.hessian.resize(n, n);
    Eigen::VectorXd e = Eigen::VectorXd::Zero(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      e[j] = 1;
      r.value = detail::record_and_sweep<Dual>(tape, f, x, &e).v;
      e[j] = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const Dual a = tape.adjoint(static_cast<Index>(i));
        r.hessian(i, j) = a.d;
        r.gradient[i] = a.v;
      }
    }
    if (n == 0) r.value = detail::record_and_sweep<Dual>(tape, f, x, nullptr).v;
    r.hessian = (0.5 * (r.hessian + r.hessian.transpose())).eval();
    return r;
  });
}

// The exact Hessian of f at x.
template <class F>
Eigen::MatrixXd hessian(F&& f, const Eigen::VectorXd& x) {
  return value_gradient_hessian(std::forward<F>(f), x).hessian;
}

}  // namespace tapegrad
