#pragma once
// Private helpers for writing matrix nodes (matrix.cpp, densities.cpp).
//
// A node is a class deriving from MatrixNode<Real>, constructed in the tape's arena by
// emplace_node, holding the MatVar views it reads and writes. Its constructor records how many
// scalar statements came before it; backward() adds its contribution to its operands' adjoints.
// A node that yields a scalar is emplaced BEFORE its output variable is created, so the scalar
// sweep has finished that variable's adjoint when the node's backward step runs.

#include <new>
#include <type_traits>
#include <utility>

#include "tapegrad/autodiff/matrix.hpp"

namespace tapegrad::detail {

template <class Real>
using Map = typename BasicMatVar<Real>::Map;

// A fresh rows x cols matrix variable: value and adjoint uninitialised (the node constructor
// registers the adjoint, and the tape zeroes it before each reverse pass).
template <class Real>
BasicMatVar<Real> new_matrix(Tape<Real>& tape, Eigen::Index rows, Eigen::Index cols) {
  const auto n = static_cast<std::size_t>(rows * cols);
  Real* value = tape.template allocate_array<Real>(n);
  Real* adjoint = tape.template allocate_array<Real>(n);
  return BasicMatVar<Real>(value, adjoint, rows, cols);
}

template <class Node, class Real, class... Args>
Node* emplace_node(Tape<Real>& tape, Args&&... args) {
  static_assert(std::is_base_of<MatrixNode<Real>, Node>::value, "a node derives from MatrixNode");
  void* memory = tape.allocate(sizeof(Node));
  return new (memory) Node(tape, std::forward<Args>(args)...);
}

// The scalar variable a node yields; create it right after emplacing the node.
template <class Real>
BasicVar<Real> new_scalar_output(Tape<Real>& tape, const Real& value) {
  return BasicVar<Real>::recorded(value, tape.new_variable());
}

// out += lhs * rhs, where one side is double data (possibly transposed) and the other holds
// Real. For Dual, the value and tangent parts are two double products (BLAS speed).
template <class Real, class Out, class Lhs, class Rhs>
void add_product(Out&& out, const Lhs& lhs, const Rhs& rhs) {
  using L = typename Lhs::Scalar;
  using R = typename Rhs::Scalar;
  if constexpr (std::is_same<L, R>::value) {
    out.noalias() += lhs * rhs;
  } else if constexpr (std::is_same<L, double>::value) {  // data * Dual
    const Eigen::MatrixXd v = rhs.unaryExpr([](const Dual& d) { return d.v; });
    const Eigen::MatrixXd t = rhs.unaryExpr([](const Dual& d) { return d.d; });
    const Eigen::MatrixXd pv = lhs * v, pt = lhs * t;
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) += Dual(pv(i, j), pt(i, j));
  } else {  // Dual * data
    const Eigen::MatrixXd v = lhs.unaryExpr([](const Dual& d) { return d.v; });
    const Eigen::MatrixXd t = lhs.unaryExpr([](const Dual& d) { return d.d; });
    const Eigen::MatrixXd pv = v * rhs, pt = t * rhs;
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) += Dual(pv(i, j), pt(i, j));
  }
}

}  // namespace tapegrad::detail
