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

// x is N x d, y has n_y entries, w is d x k, b is empty or 1 x k.
void check_shapes(const char* function, Eigen::Index n_y, const DataMatrix& x, Eigen::Index w_rows, Eigen::Index w_cols,
                  Eigen::Index b_size, Eigen::Index b_rows, Eigen::Index b_cols, Eigen::Index k) {
  const Eigen::Index n = x.rows(), d = x.cols();
  if (n != n_y) throw_shape(function, "x has " + std::to_string(n) + " rows but y has " + std::to_string(n_y));
  if (w_rows != d || w_cols != k) {
    throw_shape(function, "w is " + shape(w_rows, w_cols) + " but x has " + std::to_string(d) + " columns (w must be " +
                              shape(d, k) + ")");
  }
  if (b_size != 0 && (b_rows != 1 || b_cols != k)) {
    throw_shape(function, "b is " + shape(b_rows, b_cols) + " but w has " + std::to_string(k) + " columns (b must be " +
                              shape(1, k) + ")");
  }
}

// Names the first y outside {0, 1} (the terms only say that one is).
void explain_binary_y(const char* function, const Eigen::VectorXd& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) throw_domain_at(function, "y", i, "must be 0 or 1", y[i]);
  }
}

// y is data: a NaN there is refused up front, naming the row.
void explain_nan_y(const char* function, const Eigen::VectorXd& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) throw_domain_at(function, "y", i, "must not be NaN", y[i]);
  }
}

void check_classes(const char* function, const Eigen::VectorXi& y, Eigen::Index k) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= k) throw_domain_at(function, "y", i, "must be a class index in 0.." + std::to_string(k - 1), y[i]);
  }
}

// A scalar operand of a GLM node besides W and b (the normal's sigma) and d(sum)/d(it), which
// the terms add up block by block.
template <class Real>
struct GlmScalar {
  detail::ScalarArg<Real> arg = 0.0;  // not a variable: nothing to add
  Real derivative = Real(0);
};

// The node keeps d lp / dW, d lp / db (and d lp / d scalar); its backward step scales them by
// the output's adjoint.
template <class Real>
struct GlmNode final : MatrixNode<Real> {
  BasicMatVar<Real> w, b;  // b.size() == 0: no intercept
  const Real* dw;          // d x K, in the arena
  const Real* db;          // K, in the arena
  GlmScalar<Real> scalar;
  Index out = 0;
  GlmNode(Tape<Real>& t, const BasicMatVar<Real>& w_, const BasicMatVar<Real>& b_, const Real* dw_, const Real* db_,
          const GlmScalar<Real>& s)
      : MatrixNode<Real>(t, nullptr, 0), w(w_), b(b_), dw(dw_), db(db_), scalar(s) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (is_zero(g)) return;
    Real* aw = w.adjoint_data();
    for (Eigen::Index k = 0; k < w.size(); ++k) aw[k] += g * dw[k];
    Real* ab = b.adjoint_data();
    for (Eigen::Index k = 0; k < b.size(); ++k) ab[k] += g * db[k];
    if (scalar.arg.is_variable) adj[scalar.arg.index] += g * scalar.derivative;
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
// y when the sum is NaN. `constant` is added to the sum (log y! for Poisson). `scalar` is a
// further operand whose derivative the terms fill in (*scalar, read once the rows are done).
template <class Real, class Terms, class ExplainY>
BasicVar<Real> glm(const char* function, Eigen::Index n_y, const DataMatrix& x, const BasicMatVar<Real>& w,
                   const BasicMatVar<Real>& b, Eigen::Index k, Terms terms, ExplainY explain_y, double constant,
                   const GlmScalar<Real>* scalar = nullptr) {
  const Eigen::Index n = x.rows(), d = x.cols();
  check_shapes(function, n_y, x, w.rows(), w.cols(), b.size(), b.rows(), b.cols(), k);
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
    const Real part = terms(start, len, eta_block, d_block);
    total += part;
    if (std::isnan(value_of(part))) break;  // d may be unwritten: the cause is named below
    detail::add_product<Real>(grad_w, xb.transpose(), d_eta);  // the block is still in cache
    grad_b += d_eta.colwise().sum();
  }
  if (std::isnan(value_of(total))) {
    explain_y();
    explain_nan(function, "w", w);
    explain_nan(function, "b", b);
  }
  auto* node = emplace_node<GlmNode<Real>>(tape, w, b, dw, db, scalar ? *scalar : GlmScalar<Real>{});
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
  return glm(kName, y.size(), x, w, b, 1, terms, [&] { explain_binary_y(kName, y); }, 0.0);
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
  check_classes(kName, y, k);
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const Real* eta, Real* d) {
    return detail::categorical_forward(y.data() + start, eta, len, k, d);
  };
  return glm(kName, y.size(), x, w, b, k, terms, [] {}, 0.0);
}

// r = y - eta, z = r / sigma: lp_i = -z^2 / 2 - log sigma - log sqrt(2 pi),
// d lp_i / d eta_i = r / sigma^2, d lp / d sigma = sum_i (z_i^2 - 1) / sigma.
namespace {
// The normal terms of rows [start, start + len): writes d lp / d eta into d, returns sum z^2.
template <class Real>
Real normal_terms(const Eigen::VectorXd& y, Eigen::Index start, Eigen::Index len, const Real* eta, Real* d,
                  const Real& inv_s2) {
  using Array = Eigen::Array<Real, Eigen::Dynamic, 1>;
  const auto r = y.segment(start, len).array().template cast<Real>() - Eigen::Map<const Array>(eta, len);
  Eigen::Map<Array>(d, len) = r * inv_s2;
  return r.square().sum() * inv_s2;
}
}  // namespace

template <class Real>
BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                  const BasicMatVar<Real>& b, detail::ScalarParam<Real> sigma) {
  static constexpr const char* kName = "normal_id_glm_lpdf";
  detail::check_positive_finite(kName, "sigma", value_of(sigma.value));
  explain_nan_y(kName, y);
  using std::log;
  const Real s = sigma.value, inv_s2 = 1.0 / (s * s), log_s = log(s);
  GlmScalar<Real> scalar{sigma, Real(0)};
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const Real* eta, Real* d) {
    const Real sum_z2 = normal_terms(y, start, len, eta, d, inv_s2);
    const double n = static_cast<double>(len);
    scalar.derivative += (sum_z2 - n) / s;
    return Real(-0.5 * sum_z2 - n * (log_s + detail::kLogSqrtTwoPi));
  };
  return glm(kName, y.size(), x, w, b, 1, terms, [] {}, 0.0, &scalar);
}
template <class Real>
BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd& y, const DataMatrix& x, const BasicMatVar<Real>& w,
                                  detail::ScalarParam<Real> sigma) {
  return normal_id_glm_lpdf(y, x, w, BasicMatVar<Real>(), sigma);
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

// ---- second order ----

namespace {

// Names the first NaN entry of a weight matrix (w[j,k], or b[0,k]).
void explain_nan_entries(const char* function, const char* argument, const Eigen::MatrixXd& m) {
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      if (!std::isnan(m(r, c))) continue;
      const std::string where = std::string(argument) + "[" + std::to_string(r) + "," + std::to_string(c) + "]";
      detail::throw_domain(function, where.c_str(), "must not be NaN", m(r, c));
    }
  }
}

// The block loop of the *_glm_derivatives: per block, eta = x_b W + b, the terms (value and
// r = d lp / d eta), the gradient x_b^T r (and the column sums of r), and for each class pair
// (a, c >= a) the curvature h = d^2 lp / d eta_a d eta_c added as x_b^T diag(h) x_b; the lower
// triangle is copied from the upper one at the end.
template <class Terms, class Curvature, class ExplainY>
GlmDerivatives glm_derivatives(const char* function, Eigen::Index n_y, const DataMatrix& x, const Eigen::MatrixXd& w,
                               const Eigen::RowVectorXd& b, Terms terms, Curvature curvature, ExplainY explain_y,
                               double constant) {
  const Eigen::Index n = x.rows(), d = x.cols(), k = w.cols();
  check_shapes(function, n_y, x, w.rows(), w.cols(), b.size(), b.rows(), b.cols(), k);
  const bool bias = b.size() != 0;
  const Eigen::Index p = d * k + (bias ? k : 0), b0 = d * k;  // b0: where b's entries start in u
  GlmDerivatives out;
  out.gradient = Eigen::VectorXd::Zero(p);
  out.hessian = Eigen::MatrixXd::Zero(p, p);
  Eigen::Map<Eigen::MatrixXd> grad_w(out.gradient.data(), d, k);
  const Eigen::Index rows = std::min(block_rows(d), std::max<Eigen::Index>(n, 1));
  Eigen::MatrixXd eta(rows, k), r(rows, k), hx(rows, d);
  Eigen::VectorXd h(rows);
  double total = 0;
  for (Eigen::Index start = 0; start < n; start += rows) {
    const Eigen::Index len = std::min(rows, n - start);
    const auto xb = x.middleRows(start, len);
    eta.resize(len, k);
    r.resize(len, k);
    h.resize(len);
    hx.resize(len, d);
    eta.noalias() = xb * w;
    if (bias) eta.rowwise() += b;
    const double part = terms(start, len, eta.data(), r.data());
    total += part;
    if (std::isnan(part)) break;  // r may be unwritten: the cause is named below, or all is NaN
    grad_w.noalias() += xb.transpose() * r;
    if (bias) out.gradient.tail(k) += r.colwise().sum().transpose();
    for (Eigen::Index a = 0; a < k; ++a) {
      for (Eigen::Index c = a; c < k; ++c) {
        curvature(start, len, eta, r, a, c, h);
        hx = xb.array().colwise() * h.array();
        out.hessian.block(a * d, c * d, d, d).noalias() += xb.transpose() * hx;
        if (!bias) continue;
        const Eigen::VectorXd xh = hx.colwise().sum().transpose();  // sum_i h_i x_i
        out.hessian.block(a * d, b0 + c, d, 1) += xh;
        if (c != a) out.hessian.block(c * d, b0 + a, d, 1) += xh;
        out.hessian(b0 + a, b0 + c) += h.sum();
      }
    }
  }
  if (std::isnan(total)) {
    explain_y();
    explain_nan_entries(function, "w", w);
    explain_nan_entries(function, "b", b);
    out.gradient.setConstant(total);  // NaN in x itself: nothing to name, nothing to use
    out.hessian.setConstant(total);
  }
  out.hessian.triangularView<Eigen::StrictlyLower>() = out.hessian.transpose();
  out.value = total + constant;
  return out;
}

}  // namespace

GlmDerivatives bernoulli_logit_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                               const Eigen::RowVectorXd& b) {
  static constexpr const char* kName = "bernoulli_logit_glm_derivatives";
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const double* eta, double* r) {
    return detail::bernoulli_forward(y.data() + start, len, eta, r);
  };
  const auto curvature = [](Eigen::Index, Eigen::Index len, const Eigen::MatrixXd& eta, const Eigen::MatrixXd&,
                            Eigen::Index, Eigen::Index, Eigen::VectorXd& h) {
    detail::bernoulli_curvature(eta.data(), len, h.data());
  };
  return glm_derivatives(kName, y.size(), x, w, b, terms, curvature, [&] { explain_binary_y(kName, y); }, 0.0);
}

GlmDerivatives poisson_log_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                           const Eigen::RowVectorXd& b) {
  static constexpr const char* kName = "poisson_log_glm_derivatives";
  const double log_factorials = detail::poisson_log_factorials(kName, y);  // validates the counts
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const double* eta, double* r) {
    return detail::poisson_forward(y.data() + start, len, eta, r);
  };
  const auto curvature = [](Eigen::Index, Eigen::Index len, const Eigen::MatrixXd& eta, const Eigen::MatrixXd&,
                            Eigen::Index, Eigen::Index, Eigen::VectorXd& h) {
    detail::poisson_curvature(eta.data(), len, h.data());
  };
  return glm_derivatives(kName, y.size(), x, w, b, terms, curvature, [] {}, -log_factorials);
}

GlmDerivatives categorical_logit_glm_derivatives(const Eigen::VectorXi& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                                 const Eigen::RowVectorXd& b) {
  static constexpr const char* kName = "categorical_logit_glm_derivatives";
  const Eigen::Index k = w.cols();
  check_classes(kName, y, k);
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const double* eta, double* r) {
    return detail::categorical_forward(y.data() + start, eta, len, k, r);
  };
  // With p = softmax(eta) = onehot(y) - r: d^2 lp / d eta_a d eta_c = -(p_a [a == c] - p_a p_c).
  const auto curvature = [&](Eigen::Index start, Eigen::Index len, const Eigen::MatrixXd&, const Eigen::MatrixXd& r,
                             Eigen::Index a, Eigen::Index c, Eigen::VectorXd& h) {
    for (Eigen::Index i = 0; i < len; ++i) {
      const double pa = (y[start + i] == a ? 1.0 : 0.0) - r(i, a), pc = (y[start + i] == c ? 1.0 : 0.0) - r(i, c);
      h[i] = pa * pc - (a == c ? pa : 0.0);
    }
  };
  return glm_derivatives(kName, y.size(), x, w, b, terms, curvature, [] {}, 0.0);
}

// With s = log sigma, lp_i = -s - log sqrt(2 pi) - r_i^2 e^{-2s} / 2, r_i = y_i - eta_i:
//   d lp / d eta = r / sigma^2        d^2 lp / d eta^2 = -1 / sigma^2
//   d lp / d s = z^2 - 1              d^2 lp / d s^2 = -2 z^2     d^2 lp / d eta d s = -2 r / sigma^2
// so the (eta, s) block of H is -2 times the gradient with respect to (vec(W), b).
GlmDerivatives normal_id_glm_derivatives(const Eigen::VectorXd& y, const DataMatrix& x, const Eigen::MatrixXd& w,
                                         const Eigen::RowVectorXd& b, double sigma, bool log_sigma_too) {
  static constexpr const char* kName = "normal_id_glm_derivatives";
  detail::check_positive_finite(kName, "sigma", sigma);
  explain_nan_y(kName, y);
  const double inv_s2 = 1.0 / (sigma * sigma), log_s = std::log(sigma);
  double sum_z2 = 0;
  const auto terms = [&](Eigen::Index start, Eigen::Index len, const double* eta, double* r) {
    const double z2 = normal_terms(y, start, len, eta, r, inv_s2);
    sum_z2 += z2;
    return -0.5 * z2 - static_cast<double>(len) * (log_s + detail::kLogSqrtTwoPi);
  };
  const auto curvature = [&](Eigen::Index, Eigen::Index len, const Eigen::MatrixXd&, const Eigen::MatrixXd&, Eigen::Index,
                             Eigen::Index, Eigen::VectorXd& h) { h.head(len).setConstant(-inv_s2); };
  GlmDerivatives out = glm_derivatives(kName, y.size(), x, w, b, terms, curvature, [] {}, 0.0);
  if (!log_sigma_too) return out;
  const Eigen::Index p = out.gradient.size();
  const bool nan = std::isnan(out.value);  // then everything is NaN, as for the other entries
  out.gradient.conservativeResize(p + 1);
  out.gradient[p] = nan ? out.value : sum_z2 - static_cast<double>(y.size());
  out.hessian.conservativeResize(p + 1, p + 1);
  out.hessian.col(p).head(p) = -2.0 * out.gradient.head(p);
  out.hessian.row(p).head(p) = out.hessian.col(p).head(p).transpose();
  out.hessian(p, p) = nan ? out.value : -2.0 * sum_z2;
  return out;
}

#define TAPEGRAD_INSTANTIATE_GLM(Real)                                                                                 \
  template BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&,       \
                                             const BasicMatVar<Real>&, detail::ScalarParam<Real>);                    \
  template BasicVar<Real> normal_id_glm_lpdf(const Eigen::VectorXd&, const DataMatrix&, const BasicMatVar<Real>&,       \
                                             detail::ScalarParam<Real>);                                              \
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
