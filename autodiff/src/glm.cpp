// GLM nodes (glm.hpp): eta = x W + b and the family's log density in one pass over x.

#include "tapegrad/autodiff/glm.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "density_terms.hpp"
#include "matrix_node.hpp"
#include "tapegrad/autodiff/densities.hpp"

namespace tapegrad {

namespace {

using detail::emplace_node;
using detail::new_scalar_output;
using detail::throw_domain_at;

// Rows per block. x W reads the block (rows x d doubles) from memory and x^T r reads it again,
// from cache: about 32 kB, an L1 cache's worth (blocks of 64, 128 and 512 kB measured slower).
Eigen::Index block_rows(Eigen::Index d) { return std::clamp<Eigen::Index>(4096 / std::max<Eigen::Index>(d, 1), 64, 4096); }

// Asks for rows [begin, begin + count) of x to be brought into cache (L2) while this block's
// log densities are computed: the next block's x W then reads from cache, and the memory
// traffic overlaps the arithmetic instead of following it.
void prefetch_rows(const DataMatrix& x, Eigen::Index begin, Eigen::Index count) {
  constexpr Eigen::Index kLine = 64 / sizeof(double);
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double* column = x.data() + j * x.outerStride() + begin;
    for (Eigen::Index i = 0; i < count; i += kLine) __builtin_prefetch(column + i, 0, 2);
  }
}

std::string shape(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

[[noreturn]] void throw_shape(const char* function, const std::string& what) {
  throw std::invalid_argument(std::string(function) + ": " + what);
}

// The node keeps d lp / dW and d lp / db; its backward step scales them by the output's adjoint.
template <class Real>
struct GlmNode final : MatrixNode<Real> {
  BasicMatVar<Real> w, b;  // b.size() == 0: no intercept
  const Real* dw;          // d x K, in the arena
  const Real* db;          // K, in the arena
  Index out = 0;
  GlmNode(Tape<Real>& t, const BasicMatVar<Real>& w_, const BasicMatVar<Real>& b_, const Real* dw_, const Real* db_)
      : MatrixNode<Real>(t, nullptr, 0), w(w_), b(b_), dw(dw_), db(db_) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (is_zero(g)) return;
    Real* aw = w.adjoint_data();
    for (Eigen::Index k = 0; k < w.size(); ++k) aw[k] += g * dw[k];
    Real* ab = b.adjoint_data();
    for (Eigen::Index k = 0; k < b.size(); ++k) ab[k] += g * db[k];
  }
};

// After a NaN sum that the data did not explain: the parameter element that holds a NaN.
template <class Real>
void explain_nan(const char* function, const char* argument, const BasicMatVar<Real>& m) {
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    const double v = value_of(m.value_data()[k]);
    if (!std::isnan(v)) continue;
    const std::string where =
        std::string(argument) + "[" + std::to_string(k % m.rows()) + "," + std::to_string(k / m.rows()) + "]";
    detail::throw_domain(function, where.c_str(), "must not be NaN", v);
  }
}

// The shared pass. terms(start, len, eta, d) returns the log density of rows [start, start + len)
// given their eta (len x K, column-major) and writes d lp / d eta there; explain_y() names a bad
// y when the sum is NaN. `constant` is added to the sum (log y! for Poisson).
template <class Real, class Terms, class ExplainY>
BasicVar<Real> glm(const char* function, Eigen::Index n_y, const DataMatrix& x, const BasicMatVar<Real>& w,
                   const BasicMatVar<Real>& b, Eigen::Index k, Terms terms, ExplainY explain_y, double constant) {
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n != n_y) throw_shape(function, "x has " + std::to_string(n) + " rows but y has " + std::to_string(n_y));
  if (w.rows() != d || w.cols() != k) {
    throw_shape(function, "w is " + shape(w.rows(), w.cols()) + " but x has " + std::to_string(d) + " columns (w must be " +
                              shape(d, k) + ")");
  }
  if (b.size() != 0 && (b.rows() != 1 || b.cols() != k)) {
    throw_shape(function, "b is " + shape(b.rows(), b.cols()) + " but w has " + std::to_string(k) + " columns (b must be " +
                              shape(1, k) + ")");
  }
  Tape<Real>& tape = active_tape<Real>();
  Real* dw = tape.template allocate_array<Real>(static_cast<std::size_t>(d * k));
  Real* db = tape.template allocate_array<Real>(static_cast<std::size_t>(k));
  Eigen::Map<MatrixX<Real>> grad_w(dw, d, k);
  Eigen::Map<Eigen::Matrix<Real, 1, Eigen::Dynamic>> grad_b(db, k);
  grad_w.setZero();
  grad_b.setZero();

  const Eigen::Index rows = std::min(block_rows(d), std::max<Eigen::Index>(n, 1));
  Real* eta_block = tape.template allocate_array<Real>(static_cast<std::size_t>(rows * k));
  Real* d_block = tape.template allocate_array<Real>(static_cast<std::size_t>(rows * k));
  const auto weights = w.value();
  Real total(0);
  for (Eigen::Index start = 0; start < n; start += rows) {
    const Eigen::Index len = std::min(rows, n - start);
    const auto xb = x.middleRows(start, len);
    Eigen::Map<MatrixX<Real>> eta(eta_block, len, k);
    Eigen::Map<MatrixX<Real>> d_eta(d_block, len, k);
    if constexpr (std::is_same<Real, double>::value) {
      eta.noalias() = xb * weights;
    } else {
      eta.setZero();
      detail::add_product<Real>(eta, xb, weights);  // the value and tangent halves as two double products
    }
    if (b.size() != 0) eta.rowwise() += b.value().row(0);
    prefetch_rows(x, start + len, std::min(rows, n - start - len));
    total += terms(start, len, eta_block, d_block);
    detail::add_product<Real>(grad_w, xb.transpose(), d_eta);  // the block is still in cache
    grad_b += d_eta.colwise().sum();
  }
  if (std::isnan(value_of(total))) {
    explain_y();
    explain_nan(function, "w", w);
    explain_nan(function, "b", b);
  }
  auto* node = emplace_node<GlmNode<Real>>(tape, w, b, dw, db);
  BasicVar<Real> out = new_scalar_output(tape, Real(total + constant));
  node->out = out.index();
  return out;
}

}  // namespace

template <class Real>
BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                        const BasicMatVar<Real>& b) {
  static constexpr const char* kName = "bernoulli_logit_glm_lpmf";
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const Real* eta, Real* d) {
    return detail::bernoulli_forward(y.data() + start, len, eta, d);
  };
  const auto explain_y = [&] {
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (y[i] != 0 && y[i] != 1) throw_domain_at(kName, "y", i, "must be 0 or 1", y[i]);
    }
  };
  return glm(kName, y.size(), x, w, b, 1, terms, explain_y, 0.0);
}

template <class Real>
BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                    const BasicMatVar<Real>& b) {
  static constexpr const char* kName = "poisson_log_glm_lpmf";
  const double log_factorials = detail::poisson_log_factorials(kName, y);  // validates the counts
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const Real* eta, Real* d) {
    return detail::poisson_forward(y.data() + start, len, eta, d);
  };
  return glm(kName, y.size(), x, w, b, 1, terms, [] {}, -log_factorials);
}

template <class Real>
BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                          const BasicMatVar<Real>& b) {
  static constexpr const char* kName = "categorical_logit_glm_lpmf";
  const Eigen::Index k = w.cols();
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= k) throw_domain_at(kName, "y", i, "must be a class index in 0.." + std::to_string(k - 1), y[i]);
  }
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const Real* eta, Real* d) {
    return detail::categorical_forward(y.data() + start, eta, len, k, d);
  };
  return glm(kName, y.size(), x, w, b, k, terms, [] {}, 0.0);
}

template <class Real>
BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w) {
  return bernoulli_logit_glm_lpmf(y, x, w, BasicMatVar<Real>());
}
template <class Real>
BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w) {
  return poisson_log_glm_lpmf(y, x, w, BasicMatVar<Real>());
}
template <class Real>
BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi& y, const DataMatrix& x, const BasicMatVar<Real>& w) {
  return categorical_logit_glm_lpmf(y, x, w, BasicMatVar<Real>());
}

#define TAPEGRAD_INSTANTIATE_GLM(Real)                                                                                 \
  template BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&, \
                                                   const BasicMatVar<Real>&);                                          \
  template BasicVar<Real> bernoulli_logit_glm_lpmf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&); \
  template BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&,     \
                                               const BasicMatVar<Real>&);                                              \
  template BasicVar<Real> poisson_log_glm_lpmf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&);    \
  template BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi&, const DataMatrix&,                        \
                                                     const BasicMatVar<Real>&, const BasicMatVar<Real>&);              \
  template BasicVar<Real> categorical_logit_glm_lpmf(const Eigen::VectorXi&, const DataMatrix&,                        \
                                                     const BasicMatVar<Real>&);

TAPEGRAD_INSTANTIATE_GLM(double)
TAPEGRAD_INSTANTIATE_GLM(Dual)
#undef TAPEGRAD_INSTANTIATE_GLM

}  // namespace tapegrad
