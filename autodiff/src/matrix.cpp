// Matrix nodes: each op's forward value and its backward step, side by side.

#include "tapegrad/autodiff/matrix.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "matrix_node.hpp"
#include "tapegrad/autodiff/scalar_ops.hpp"

namespace tapegrad {

using detail::emplace_node;
using detail::new_matrix;
using detail::new_scalar_output;

namespace {

template <class Real>
Eigen::Index check_same_shape(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b, const char* op) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    throw std::invalid_argument(std::string("tapegrad::") + op + ": shapes differ (" + std::to_string(a.rows()) +
                                "x" + std::to_string(a.cols()) + " and " + std::to_string(b.rows()) + "x" +
                                std::to_string(b.cols()) + ")");
  }
  return a.size();
}

void check_product(Eigen::Index a_cols, Eigen::Index b_rows, const char* op) {
  if (a_cols != b_rows) {
    throw std::invalid_argument(std::string("tapegrad::") + op + ": inner dimensions differ (" +
                                std::to_string(a_cols) + " and " + std::to_string(b_rows) + ")");
  }
}

// ---- leaves ----

// An input: nothing to propagate, but its adjoint is zeroed before each sweep like any node's.
template <class Real>
struct InputNode final : MatrixNode<Real> {
  InputNode(Tape<Real>& t, const BasicMatVar<Real>& m) : MatrixNode<Real>(t, m.adjoint_data(), m.size()) {}
  void backward(Real*) override {}
};

// A matrix of scalar variables: adj[index_k] += adjoint_k.
template <class Real>
struct FromScalarsNode final : MatrixNode<Real> {
  BasicMatVar<Real> out;
  const Index* indices;  // nullptr when contiguous from `first`
  Index first;
  FromScalarsNode(Tape<Real>& t, const BasicMatVar<Real>& o, const Index* idx, Index f)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), out(o), indices(idx), first(f) {}
  void backward(Real* adj) override {
    const Real* g = out.adjoint_data();
    const Eigen::Index n = out.size();
    if (indices == nullptr) {
      for (Eigen::Index k = 0; k < n; ++k) adj[first + k] += g[k];
    } else {
      for (Eigen::Index k = 0; k < n; ++k) adj[indices[k]] += g[k];
    }
  }
};

// ---- products ----

// C = A B: dA += dC B^T, dB += A^T dC.
template <class Real>
struct MatmulNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, b, out;
  MatmulNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& b_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), b(b_), out(o) {}
  void backward(Real*) override {
    a.adjoint().noalias() += out.adjoint() * b.value().transpose();
    b.adjoint().noalias() += a.value().transpose() * out.adjoint();
  }
};

// C = X B with X data: dB += X^T dC.
template <class Real>
struct DataTimesNode final : MatrixNode<Real> {
  DataMatrix x;
  BasicMatVar<Real> b, out;
  DataTimesNode(Tape<Real>& t, const DataMatrix& x_, const BasicMatVar<Real>& b_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), x(x_), b(b_), out(o) {}
  void backward(Real*) override { detail::add_product<Real>(b.adjoint(), x.transpose(), out.adjoint()); }
};

// C = A X with X data: dA += dC X^T.
template <class Real>
struct TimesDataNode final : MatrixNode<Real> {
  BasicMatVar<Real> a;
  DataMatrix x;
  BasicMatVar<Real> out;
  TimesDataNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const DataMatrix& x_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), x(x_), out(o) {}
  void backward(Real*) override { detail::add_product<Real>(a.adjoint(), out.adjoint(), x.transpose()); }
};

// ---- element-wise arithmetic ----

// C = alpha A + beta B: dA += alpha dC, dB += beta dC.
template <class Real>
struct LinearCombinationNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, b, out;
  double alpha, beta;
  LinearCombinationNode(Tape<Real>& t, const BasicMatVar<Real>& a_, double al, const BasicMatVar<Real>& b_, double be,
                        const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), b(b_), out(o), alpha(al), beta(be) {}
  void backward(Real*) override {
    a.adjoint() += out.adjoint() * Real(alpha);
    if (beta != 0) b.adjoint() += out.adjoint() * Real(beta);  // scale(a, s) passes b = a, beta = 0
  }
};

// C = A .* B: dA += dC .* B, dB += dC .* A.
template <class Real>
struct ElementwiseProductNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, b, out;
  ElementwiseProductNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& b_,
                         const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), b(b_), out(o) {}
  void backward(Real*) override {
    a.adjoint().array() += out.adjoint().array() * b.value().array();
    b.adjoint().array() += out.adjoint().array() * a.value().array();
  }
};

// C = s A with s a scalar variable: dA += s dC, ds += sum(dC .* A).
template <class Real>
struct ScaleNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, out;
  Index s_index;
  Real s;
  ScaleNode(Tape<Real>& t, const BasicMatVar<Real>& a_, Index si, const Real& sv, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), out(o), s_index(si), s(sv) {}
  void backward(Real* adj) override {
    a.adjoint() += out.adjoint() * s;
    adj[s_index] += (out.adjoint().array() * a.value().array()).sum();
  }
};

// C = A + 1 r (r a row added to every row): dA += dC, dr += column sums of dC.
template <class Real>
struct AddToRowsNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, row, out;
  AddToRowsNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& r, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), row(r), out(o) {}
  void backward(Real*) override {
    a.adjoint() += out.adjoint();
    row.adjoint() += out.adjoint().colwise().sum();
  }
};

// ---- element-wise maps: C_k = f(A_k), dA_k += dC_k f'(A_k), with f from scalar_ops.hpp ----

struct ReluOp {
  template <class R> static R value(const R& x) { return x > 0 ? x : R(0); }
  template <class R> static R partial(const R& x, const R&) { return R(x > 0 ? 1.0 : 0.0); }
};

template <class Op, class Real>
struct MapNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, out;
  MapNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), out(o) {}
  void backward(Real*) override {
    const Real* x = a.value_data();
    const Real* f = out.value_data();
    const Real* g = out.adjoint_data();
    Real* ga = a.adjoint_data();
    for (Eigen::Index k = 0; k < a.size(); ++k) ga[k] += g[k] * Op::partial(x[k], f[k]);
  }
};

template <class Op, class Real>
BasicMatVar<Real> map(const BasicMatVar<Real>& a) {
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  const Real* x = a.value_data();
  Real* f = out.value_data();
  for (Eigen::Index k = 0; k < a.size(); ++k) f[k] = Op::value(x[k]);
  emplace_node<MapNode<Op, Real>>(tape, a, out);
  return out;
}

// ---- row-wise normalisation ----

// S = softmax of each row: dA = S .* (dS - rowsum(dS .* S)).
template <class Real>
struct SoftmaxRowsNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, out;
  SoftmaxRowsNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), out(o) {}
  void backward(Real*) override {
    const auto s = out.value().array();
    const auto g = out.adjoint().array();
    const Eigen::Matrix<Real, Eigen::Dynamic, 1> inner = (g * s).rowwise().sum();
    a.adjoint().array() += s * (g.colwise() - inner.array());
  }
};

// L = A - logsumexp of each row: dA = dL - softmax .* rowsum(dL).
template <class Real>
struct LogSoftmaxRowsNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, out;
  LogSoftmaxRowsNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& o)
      : MatrixNode<Real>(t, o.adjoint_data(), o.size()), a(a_), out(o) {}
  void backward(Real*) override {
    using std::exp;
    const Eigen::Matrix<Real, Eigen::Dynamic, 1> total = out.adjoint().rowwise().sum();
    const auto softmax = out.value().array().unaryExpr([](const Real& v) { return Real(exp(v)); });
    a.adjoint().array() += out.adjoint().array() - softmax.colwise() * total.array();
  }
};

// Row-wise log-sum-exp of a, computed stably (max subtracted).
template <class Real>
Eigen::Matrix<Real, Eigen::Dynamic, 1> row_log_sum_exp(const typename BasicMatVar<Real>::Map& a) {
  using std::exp;
  using std::log;
  Eigen::Matrix<Real, Eigen::Dynamic, 1> out(a.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    Real m = a(i, 0);
    for (Eigen::Index j = 1; j < a.cols(); ++j) m = a(i, j) > m ? a(i, j) : m;
    Real s(0);
    for (Eigen::Index j = 0; j < a.cols(); ++j) s += exp(a(i, j) - m);
    out[i] = m + log(s);
  }
  return out;
}

// ---- reductions ----

// s = sum(A) * factor: dA += factor ds.
template <class Real>
struct SumNode final : MatrixNode<Real> {
  BasicMatVar<Real> a;
  double factor;
  Index out = 0;
  SumNode(Tape<Real>& t, const BasicMatVar<Real>& a_, double f) : MatrixNode<Real>(t, nullptr, 0), a(a_), factor(f) {}
  void backward(Real* adj) override { a.adjoint().array() += adj[out] * factor; }
};

// s = <A, B>: dA += ds B, dB += ds A (B may be data: then b is null).
template <class Real>
struct DotNode final : MatrixNode<Real> {
  BasicMatVar<Real> a, b;
  const Eigen::MatrixXd* data;
  Index out = 0;
  DotNode(Tape<Real>& t, const BasicMatVar<Real>& a_, const BasicMatVar<Real>& b_, const Eigen::MatrixXd* d)
      : MatrixNode<Real>(t, nullptr, 0), a(a_), b(b_), data(d) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (data != nullptr) {
      a.adjoint() += data->template cast<Real>() * g;
    } else {
      a.adjoint() += b.value() * g;
      b.adjoint() += a.value() * g;
    }
  }
};

// m(i, j) as a scalar: dm(i, j) += ds.
template <class Real>
struct ElementNode final : MatrixNode<Real> {
  BasicMatVar<Real> m;
  Eigen::Index i, j;
  Index out = 0;
  ElementNode(Tape<Real>& t, const BasicMatVar<Real>& m_, Eigen::Index i_, Eigen::Index j_)
      : MatrixNode<Real>(t, nullptr, 0), m(m_), i(i_), j(j_) {}
  void backward(Real* adj) override { m.adjoint()(i, j) += adj[out]; }
};

template <class Real, class V>
BasicMatVar<Real> from_scalars(const V& xs, std::size_t offset, Eigen::Index rows, Eigen::Index cols) {
  const auto n = static_cast<std::size_t>(rows * cols);
  if (rows < 0 || cols < 0 || offset + n > static_cast<std::size_t>(xs.size())) {
    throw std::invalid_argument("tapegrad::to_matrix: " + std::to_string(rows) + "x" + std::to_string(cols) +
                                " from offset " + std::to_string(offset) + " exceeds the " +
                                std::to_string(xs.size()) + " variables given");
  }
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, rows, cols);
  bool contiguous = true;
  for (std::size_t k = 0; k < n; ++k) {
    out.value_data()[k] = xs[offset + k].value();
    contiguous = contiguous && xs[offset + k].index() == xs[offset].index() + k;
  }
  const Index first = n > 0 ? xs[offset].index() : 0;
  Index* indices = nullptr;
  if (!contiguous) {
    indices = tape.template allocate_array<Index>(n);
    for (std::size_t k = 0; k < n; ++k) indices[k] = xs[offset + k].index();
  }
  emplace_node<FromScalarsNode<Real>>(tape, out, indices, first);
  return out;
}

}  // namespace

// ---- the public functions ----

template <class Real>
BasicMatVar<Real>::BasicMatVar(const Eigen::MatrixXd& value) : BasicMatVar(data_view(value)) {}

template <class Real>
BasicMatVar<Real>::BasicMatVar(const DataMatrix& value) {
  Tape<Real>& tape = active_tape<Real>();
  *this = new_matrix(tape, value.rows(), value.cols());
  for (Eigen::Index j = 0; j < value.cols(); ++j)
    for (Eigen::Index i = 0; i < value.rows(); ++i) value_[i + j * value.rows()] = Real(value(i, j));
  emplace_node<InputNode<Real>>(tape, *this);
}

template <class Real>
Eigen::MatrixXd BasicMatVar<Real>::value_of() const {
  return value().unaryExpr([](const Real& v) { return tapegrad::value_of(v); });
}

template <class Real>
BasicMatVar<Real> to_matrix(const std::vector<BasicVar<Real>>& xs, std::size_t offset, Eigen::Index rows,
                            Eigen::Index cols) {
  return from_scalars<Real>(xs, offset, rows, cols);
}
template <class Real>
BasicMatVar<Real> to_matrix(const Eigen::Matrix<BasicVar<Real>, Eigen::Dynamic, 1>& xs, std::size_t offset,
                            Eigen::Index rows, Eigen::Index cols) {
  return from_scalars<Real>(xs, offset, rows, cols);
}

template <class Real>
BasicVar<Real> element(const BasicMatVar<Real>& m, Eigen::Index i, Eigen::Index j) {
  if (i < 0 || j < 0 || i >= m.rows() || j >= m.cols()) {
    throw std::out_of_range("tapegrad::element: (" + std::to_string(i) + ", " + std::to_string(j) +
                            ") is outside a " + std::to_string(m.rows()) + "x" + std::to_string(m.cols()) +
                            " matrix");
  }
  Tape<Real>& tape = active_tape<Real>();
  auto* node = emplace_node<ElementNode<Real>>(tape, m, i, j);
  BasicVar<Real> out = new_scalar_output(tape, m.value()(i, j));
  node->out = out.index();
  return out;
}

template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b) {
  check_product(a.cols(), b.rows(), "matmul");
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), b.cols());
  out.value().noalias() = a.value() * b.value();
  emplace_node<MatmulNode<Real>>(tape, a, b, out);
  return out;
}

template <class Real>
BasicMatVar<Real> matmul(const DataMatrix& data, const BasicMatVar<Real>& b) {
  check_product(data.cols(), b.rows(), "matmul");
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, data.rows(), b.cols());
  out.value().setZero();
  detail::add_product<Real>(out.value(), data, b.value());
  emplace_node<DataTimesNode<Real>>(tape, data, b, out);
  return out;
}

template <class Real>
BasicMatVar<Real> matmul(const BasicMatVar<Real>& a, const DataMatrix& data) {
  check_product(a.cols(), data.rows(), "matmul");
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), data.cols());
  out.value().setZero();
  detail::add_product<Real>(out.value(), a.value(), data);
  emplace_node<TimesDataNode<Real>>(tape, a, data, out);
  return out;
}

namespace {
template <class Real>
BasicMatVar<Real> linear_combination(const BasicMatVar<Real>& a, double alpha, const BasicMatVar<Real>& b,
                                     double beta, const char* op) {
  check_same_shape(a, b, op);
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  out.value() = a.value() * Real(alpha) + b.value() * Real(beta);
  emplace_node<LinearCombinationNode<Real>>(tape, a, alpha, b, beta, out);
  return out;
}
}  // namespace

template <class Real>
BasicMatVar<Real> add(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b) {
  return linear_combination(a, 1.0, b, 1.0, "add");
}
template <class Real>
BasicMatVar<Real> subtract(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b) {
  return linear_combination(a, 1.0, b, -1.0, "subtract");
}

template <class Real>
BasicMatVar<Real> elementwise_product(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b) {
  check_same_shape(a, b, "elementwise_product");
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  out.value().array() = a.value().array() * b.value().array();
  emplace_node<ElementwiseProductNode<Real>>(tape, a, b, out);
  return out;
}

template <class Real>
BasicMatVar<Real> scale(const BasicMatVar<Real>& a, const BasicVar<Real>& s) {
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  out.value() = a.value() * s.value();
  emplace_node<ScaleNode<Real>>(tape, a, s.index(), s.value(), out);
  return out;
}

template <class Real>
BasicMatVar<Real> scale(const BasicMatVar<Real>& a, double s) {
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  out.value() = a.value() * Real(s);
  // A constant factor: the linear combination node with b = a and beta = 0 (skipped backward).
  emplace_node<LinearCombinationNode<Real>>(tape, a, s, a, 0.0, out);
  return out;
}

template <class Real>
BasicMatVar<Real> add_to_rows(const BasicMatVar<Real>& a, const BasicMatVar<Real>& row) {
  if (row.rows() != 1 || row.cols() != a.cols()) {
    throw std::invalid_argument("tapegrad::add_to_rows: the row must be 1x" + std::to_string(a.cols()) + ", not " +
                                std::to_string(row.rows()) + "x" + std::to_string(row.cols()));
  }
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  out.value() = a.value().rowwise() + row.value().row(0);
  emplace_node<AddToRowsNode<Real>>(tape, a, row, out);
  return out;
}

template <class Real> BasicMatVar<Real> exp(const BasicMatVar<Real>& a) { return map<ExpOp>(a); }
template <class Real> BasicMatVar<Real> log(const BasicMatVar<Real>& a) { return map<LogOp>(a); }
template <class Real> BasicMatVar<Real> sigmoid(const BasicMatVar<Real>& a) { return map<SigmoidOp>(a); }
template <class Real> BasicMatVar<Real> softplus(const BasicMatVar<Real>& a) { return map<SoftplusOp>(a); }
template <class Real> BasicMatVar<Real> log_sigmoid(const BasicMatVar<Real>& a) { return map<LogSigmoidOp>(a); }
template <class Real> BasicMatVar<Real> tanh(const BasicMatVar<Real>& a) { return map<TanhOp>(a); }
template <class Real> BasicMatVar<Real> relu(const BasicMatVar<Real>& a) { return map<ReluOp>(a); }
template <class Real> BasicMatVar<Real> square(const BasicMatVar<Real>& a) { return map<SquareOp>(a); }

template <class Real>
BasicMatVar<Real> softmax_rows(const BasicMatVar<Real>& a) {
  using std::exp;
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  const auto lse = row_log_sum_exp<Real>(a.value());
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) out.value()(i, j) = exp(a.value()(i, j) - lse[i]);
  emplace_node<SoftmaxRowsNode<Real>>(tape, a, out);
  return out;
}

template <class Real>
BasicMatVar<Real> log_softmax_rows(const BasicMatVar<Real>& a) {
  Tape<Real>& tape = active_tape<Real>();
  BasicMatVar<Real> out = new_matrix(tape, a.rows(), a.cols());
  const auto lse = row_log_sum_exp<Real>(a.value());
  out.value() = a.value().colwise() - lse;
  emplace_node<LogSoftmaxRowsNode<Real>>(tape, a, out);
  return out;
}

namespace {
template <class Real>
BasicVar<Real> scaled_sum(const BasicMatVar<Real>& a, double factor) {
  Tape<Real>& tape = active_tape<Real>();
  auto* node = emplace_node<SumNode<Real>>(tape, a, factor);
  BasicVar<Real> out = new_scalar_output(tape, Real(a.value().sum() * Real(factor)));
  node->out = out.index();
  return out;
}
}  // namespace

template <class Real> BasicVar<Real> sum(const BasicMatVar<Real>& a) { return scaled_sum(a, 1.0); }
template <class Real>
BasicVar<Real> mean(const BasicMatVar<Real>& a) {
  if (a.size() == 0) throw std::invalid_argument("tapegrad::mean: the matrix is empty");
  return scaled_sum(a, 1.0 / static_cast<double>(a.size()));
}

template <class Real>
BasicVar<Real> dot(const BasicMatVar<Real>& a, const BasicMatVar<Real>& b) {
  check_same_shape(a, b, "dot");
  Tape<Real>& tape = active_tape<Real>();
  auto* node = emplace_node<DotNode<Real>>(tape, a, b, nullptr);
  BasicVar<Real> out = new_scalar_output(tape, Real((a.value().array() * b.value().array()).sum()));
  node->out = out.index();
  return out;
}

template <class Real>
BasicVar<Real> dot(const BasicMatVar<Real>& a, const Eigen::MatrixXd& data) {
  if (a.rows() != data.rows() || a.cols() != data.cols()) {
    throw std::invalid_argument("tapegrad::dot: shapes differ");
  }
  Tape<Real>& tape = active_tape<Real>();
  auto* node = emplace_node<DotNode<Real>>(tape, a, a, &data);
  BasicVar<Real> out = new_scalar_output(tape, Real((a.value().array() * data.template cast<Real>().array()).sum()));
  node->out = out.index();
  return out;
}

// ---- explicit instantiations: the first-order (double) and second-order (Dual) tapes ----

#define TAPEGRAD_INSTANTIATE_MATRIX(Real)                                                                          \
  template class BasicMatVar<Real>;                                                                                \
  template BasicMatVar<Real> to_matrix(const std::vector<BasicVar<Real>>&, std::size_t, Eigen::Index, Eigen::Index); \
  template BasicMatVar<Real> to_matrix(const Eigen::Matrix<BasicVar<Real>, Eigen::Dynamic, 1>&, std::size_t,       \
                                       Eigen::Index, Eigen::Index);                                                \
  template BasicVar<Real> element(const BasicMatVar<Real>&, Eigen::Index, Eigen::Index);                           \
  template BasicMatVar<Real> matmul(const BasicMatVar<Real>&, const BasicMatVar<Real>&);                           \
  template BasicMatVar<Real> matmul(const DataMatrix&, const BasicMatVar<Real>&);                                 \
  template BasicMatVar<Real> matmul(const BasicMatVar<Real>&, const DataMatrix&);                                 \
  template BasicMatVar<Real> add(const BasicMatVar<Real>&, const BasicMatVar<Real>&);                              \
  template BasicMatVar<Real> subtract(const BasicMatVar<Real>&, const BasicMatVar<Real>&);                         \
  template BasicMatVar<Real> elementwise_product(const BasicMatVar<Real>&, const BasicMatVar<Real>&);              \
  template BasicMatVar<Real> scale(const BasicMatVar<Real>&, const BasicVar<Real>&);                               \
  template BasicMatVar<Real> scale(const BasicMatVar<Real>&, double);                                              \
  template BasicMatVar<Real> add_to_rows(const BasicMatVar<Real>&, const BasicMatVar<Real>&);                      \
  template BasicMatVar<Real> exp(const BasicMatVar<Real>&);                                                        \
  template BasicMatVar<Real> log(const BasicMatVar<Real>&);                                                        \
  template BasicMatVar<Real> sigmoid(const BasicMatVar<Real>&);                                                    \
  template BasicMatVar<Real> softplus(const BasicMatVar<Real>&);                                                   \
  template BasicMatVar<Real> log_sigmoid(const BasicMatVar<Real>&);                                                \
  template BasicMatVar<Real> tanh(const BasicMatVar<Real>&);                                                       \
  template BasicMatVar<Real> relu(const BasicMatVar<Real>&);                                                       \
  template BasicMatVar<Real> square(const BasicMatVar<Real>&);                                                     \
  template BasicMatVar<Real> softmax_rows(const BasicMatVar<Real>&);                                               \
  template BasicMatVar<Real> log_softmax_rows(const BasicMatVar<Real>&);                                           \
  template BasicVar<Real> sum(const BasicMatVar<Real>&);                                                           \
  template BasicVar<Real> mean(const BasicMatVar<Real>&);                                                          \
  template BasicVar<Real> dot(const BasicMatVar<Real>&, const BasicMatVar<Real>&);                                 \
  template BasicVar<Real> dot(const BasicMatVar<Real>&, const Eigen::MatrixXd&);

TAPEGRAD_INSTANTIATE_MATRIX(double)
TAPEGRAD_INSTANTIATE_MATRIX(Dual)
#undef TAPEGRAD_INSTANTIATE_MATRIX

}  // namespace tapegrad
