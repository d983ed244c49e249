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
#include <vector>

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

// A per-thread work matrix, kept between calls: the value and tangent halves of a Dual product
// reuse it, so Hessian sweeps over large data neither allocate nor fault in fresh pages.
inline Eigen::Map<Eigen::MatrixXd> scratch(int slot, Eigen::Index rows, Eigen::Index cols) {
  thread_local std::vector<double> buffers[4];
  std::vector<double>& b = buffers[slot];
  const auto size = static_cast<std::size_t>(rows * cols);
  if (b.size() < size) b.resize(size);
  return Eigen::Map<Eigen::MatrixXd>(b.data(), rows, cols);
}

// out += lhs * rhs, where one side is double data (possibly transposed) and the other holds
// Real. For Dual, the value and tangent parts are two double products (BLAS speed).
template <class Real, class Out, class Lhs, class Rhs>
void add_product(Out&& out, const Lhs& lhs, const Rhs& rhs) {
  using L = typename Lhs::Scalar;
  using R = typename Rhs::Scalar;
  if constexpr (std::is_same<L, R>::value) {
    out.noalias() += lhs * rhs;
  } else {
    // The Dual side split into its value and tangent halves.
    const auto& dual = [&]() -> const auto& {
      if constexpr (std::is_same<L, double>::value) return rhs; else return lhs;
    }();
    auto v = scratch(0, dual.rows(), dual.cols());
    auto t = scratch(1, dual.rows(), dual.cols());
    v = dual.unaryExpr([](const Dual& d) { return d.v; });
    t = dual.unaryExpr([](const Dual& d) { return d.d; });
    auto pv = scratch(2, out.rows(), out.cols());
    auto pt = scratch(3, out.rows(), out.cols());
    if constexpr (std::is_same<L, double>::value) {  // data * Dual
      pv.noalias() = lhs * v;
      pt.noalias() = lhs * t;
    } else {  // Dual * data
      pv.noalias() = v * rhs;
      pt.noalias() = t * rhs;
    }
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) += Dual(pv(i, j), pt(i, j));
  }
}

}  // namespace tapegrad::detail
