#pragma once
// Matrix-valued variables. A MatVar is a view of two arena arrays on the active tape: its
// value and its adjoint (Stan's var_value<Matrix>). Each operation records ONE node whose
// backward step is a few Eigen expressions, so a logistic regression over N rows is a handful
// of nodes and its reverse pass is matrix products, not N scalar statements.
//
// Data matrices (features X, targets y) are referenced, not copied: they must outlive the
// reverse pass. The node implementations live in matrix.cpp (compile time: user files only
// see these declarations).

#include <Eigen/Core>
#include <vector>

#include "tapegrad/autodiff/dual_eigen.hpp"
#include "tapegrad/autodiff/var.hpp"

namespace tapegrad {

template <class Real>
using MatrixX = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

// A read-only view of data (features): a whole matrix or a block of its rows (a shard), never
// copied. Matrix nodes keep the view, so the data must outlive the reverse pass.
using DataMatrix = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
inline DataMatrix data_view(const Eigen::MatrixXd& m) {
  return DataMatrix(m.data(), m.rows(), m.cols(), Eigen::OuterStride<>(m.rows()));
}
// Rows [begin, begin + count) of m.
inline DataMatrix data_rows(const Eigen::MatrixXd& m, Eigen::Index begin, Eigen::Index count) {
  return DataMatrix(m.data() + begin, count, m.cols(), Eigen::OuterStride<>(m.rows()));
}
DataMatrix data_view(Eigen::MatrixXd&& m) = delete;  // a temporary would dangle
DataMatrix data_rows(Eigen::MatrixXd&& m, Eigen::Index begin, Eigen::Index count) = delete;

template <class Real>
class BasicMatVar {
 public:
  using Map = Eigen::Map<MatrixX<Real>>;

  BasicMatVar() = default;
  // A new input (or constant) matrix on the active tape; its adjoint is d(output)/d(value).
  explicit BasicMatVar(const Eigen::MatrixXd& value);
  explicit BasicMatVar(const DataMatrix& value);
  // A view of storage already on the tape (for node implementations).
  BasicMatVar(Real* value, Real* adjoint, Eigen::Index rows, Eigen::Index cols)
      : value_(value), adjoint_(adjoint), rows_(rows), cols_(cols) {}

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  Eigen::Index size() const { return rows_ * cols_; }
  Map value() const { return Map(value_, rows_, cols_); }
  Map adjoint() const { return Map(adjoint_, rows_, cols_); }
  Real* value_data() const { return value_; }
  Real* adjoint_data() const { return adjoint_; }
  // The values as doubles (the Dual path drops tangents).
  Eigen::MatrixXd value_of() const;

 private:
  Real* value_ = nullptr;
  Real* adjoint_ = nullptr;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
};

using MatVar = BasicMatVar<double>;
using HMatVar = BasicMatVar<Dual>;

// ---- between scalar and matrix variables ----

// A rows x cols matrix (column-major) of the scalar variables xs[offset ..]. Contiguous
// inputs (as the drivers create them) make the backward step one block add.
template <class Real>
BasicMatVar<Real> to_matrix(const std::vector<BasicVar<Real>>& xs, std::size_t offset, Eigen::Index rows,
                            Eigen::Index cols);
template <class Real>
BasicMatVar<Real> to_matrix(const Eigen::Matrix<BasicVar<Real>, Eigen::Dynamic, 1>& xs, std::size_t offset,
                            Eigen::Index rows, Eigen::Index cols);
// Element (i, j) as a scalar variable.
template <class Real>
BasicVar<Real> element(const BasicMatVar<Real>& m, Eigen::Index i, Eigen::Index j);

// ---- products ----

template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b);
template <class Real>
BasicMatVar<Real> matmul(const DataMatrix& data, const BasicMatVar<Real>& b);  // data * b
template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, const DataMatrix& data);  // a * data
template <class Real>
BasicMatVar<Real> matmul(const Eigen::MatrixXd& data, const BasicMatVar<Real>& b) {
  return matmul(data_view(data), b);
}
template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, const Eigen::MatrixXd& data) {
  return matmul(a, data_view(data));
}
// Data is referenced until the reverse pass: a temporary would dangle, so it does not compile.
template <class Real>
BasicMatVar<Real> matmul(Eigen::MatrixXd&& data, const BasicMatVar<Real>& b) = delete;
template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, Eigen::MatrixXd&& data) = delete;

// ---- element-wise arithmetic and broadcasting ----

template <class Real>
BasicMatVar<Real> add(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b);
template <class Real>
BasicMatVar<Real> subtract(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b);
template <class Real>
BasicMatVar<Real> elementwise_product(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b);
template <class Real>
BasicMatVar<Real> scale(const BasicMatVar<Real>& a, const BasicVar<Real>& s);
template <class Real>
BasicMatVar<Real> scale(const BasicMatVar<Real>& a, double s);
template <class Real, class E>
BasicMatVar<Real> scale(const BasicMatVar<Real>& a, const Expr<E, Real>& s) {
  return scale(a, BasicVar<Real>(s));
}
// a + one row added to every row (a bias): row is 1 x a.cols().
template <class Real>
BasicMatVar<Real> add_to_rows(const BasicMatVar<Real>& a, const BasicMatVar<Real>& row);

// ---- element-wise maps (the scalar ops' value and partial, applied per element) ----

template <class Real> BasicMatVar<Real> exp(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> log(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> sigmoid(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> softplus(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> log_sigmoid(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> tanh(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> relu(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> square(const BasicMatVar<Real>& a);

// ---- row-wise normalisation ----

template <class Real> BasicMatVar<Real> softmax_rows(const BasicMatVar<Real>& a);
template <class Real> BasicMatVar<Real> log_softmax_rows(const BasicMatVar<Real>& a);

// ---- reductions to a scalar variable ----

template <class Real> BasicVar<Real> sum(const BasicMatVar<Real>& a);
template <class Real> BasicVar<Real> mean(const BasicMatVar<Real>& a);
template <class Real> BasicVar<Real> dot(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b);
template <class Real> BasicVar<Real> dot(const BasicMatVar<Real>& a, const Eigen::MatrixXd& data);
template <class Real> BasicVar<Real> dot(const BasicMatVar<Real>& a, Eigen::MatrixXd&& data) = delete;

}  // namespace tapegrad
