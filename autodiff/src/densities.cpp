// Vectorised log densities: each is one fused node. The forward pass computes the sum and
// stores what the backward pass needs (usually d lp / d parameter_i per row, in the arena), so
// the backward pass is one multiply-add per row. The double path runs over blocks of rows with
// Eigen array expressions (SIMD exp and log); the Dual path is a plain loop over the same
// formulas, so forward-over-reverse sees exact derivatives.

#include "tapegrad/autodiff/densities.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "density_terms.hpp"
#include "exp_array.hpp"
#include "matrix_node.hpp"

namespace tapegrad {

namespace detail {

namespace {
// The shortest text that reads back as v ("-1", "0.5", "0.1", "nan", "inf").
std::string shortest(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}
}  // namespace

void throw_domain(const char* function, const char* argument, const std::string& requirement, double value) {
  throw std::domain_error(std::string(function) + ": " + argument + " " + requirement + ", got " + shortest(value));
}

void throw_domain_at(const char* function, const char* argument, std::ptrdiff_t index, const std::string& requirement,
                     double value) {
  throw std::domain_error(std::string(function) + ": " + argument + "[" + std::to_string(index) + "] " + requirement +
                          ", got " + shortest(value));
}

}  // namespace detail

using detail::emplace_node;
using detail::new_scalar_output;
using detail::ScalarArg;
using detail::throw_domain_at;

namespace {

// Rows per block on the double path: the block's temporaries stay in L1.
constexpr Eigen::Index kBlock = 256;
using BlockArray = Eigen::Array<double, Eigen::Dynamic, 1, 0, kBlock, 1>;
using ConstColumn = Eigen::Map<const Eigen::ArrayXd>;
using Column = Eigen::Map<Eigen::ArrayXd>;

std::string shape(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

// A parameter has one row per observation and, when one_column, one column.
void check_shape(const char* function, Eigen::Index n_data, const char* what, Eigen::Index rows, Eigen::Index cols,
                 bool one_column) {
  if (rows != n_data || (one_column && cols != 1)) {
    throw std::invalid_argument(std::string(function) + ": " + what + " is " + shape(rows, cols) + " but y is " +
                                shape(n_data, 1) + " (" + what + " must be " +
                                (one_column ? shape(n_data, 1) : std::to_string(n_data) + "xK") + ")");
  }
}

// After a forward pass gave a NaN sum: find the parameter element that caused it and say where
// ("eta[3]" in a column, "eta[3,1]" in a matrix). Returns when there is none (a NaN from
// infinities, +inf - inf, is left for the caller to see).
template <class Real>
void explain_nan(const char* function, const char* argument, const BasicMatVar<Real>& m) {
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    const double v = value_of(m.value_data()[k]);
    if (!std::isnan(v)) continue;
    const Eigen::Index row = k % m.rows(), col = k / m.rows();
    if (m.cols() == 1) throw_domain_at(function, argument, row, "must not be NaN", v);
    const std::string where = std::string(argument) + "[" + std::to_string(row) + "," + std::to_string(col) + "]";
    detail::throw_domain(function, where.c_str(), "must not be NaN", v);
  }
}

void check_data_not_nan(const char* function, const Eigen::VectorXd& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) throw_domain_at(function, "y", i, "must not be NaN", y[i]);
  }
}

// Adds g to the scalar adjoint of a parameter when it is a variable.
template <class Real>
void add_scalar(Real* adj, const ScalarArg<Real>& p, const Real& g) {
  if (p.is_variable) adj[p.index] += g;
}

// The node's scalar output, created after the node so the scalar sweep has finished its adjoint
// when the node's backward step runs.
template <class Real, class Node>
BasicVar<Real> finish(Tape<Real>& tape, Node* node, const Real& value) {
  BasicVar<Real> out = new_scalar_output(tape, value);
  node->out = out.index();
  return out;
}

// ---- nodes whose backward is "adjoint_k += g * stored derivative_k" ----

template <class Real>
struct StoredDerivativeNode final : MatrixNode<Real> {
  BasicMatVar<Real> eta;
  const Real* d_eta;  // d lp / d eta, per element, in the arena
  Index out = 0;
  StoredDerivativeNode(Tape<Real>& t, const BasicMatVar<Real>& e, const Real* d)
      : MatrixNode<Real>(t, nullptr, 0), eta(e), d_eta(d) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (is_zero(g)) return;
    Real* de = eta.adjoint_data();
    for (Eigen::Index k = 0; k < eta.size(); ++k) de[k] += g * d_eta[k];
  }
};

// ---- normal ----
// lp = -n log sigma - n log sqrt(2 pi) - sum z_i^2 / 2, z_i = (y_i - mu_i) / sigma
// d lp / d mu_i = (y_i - mu_i) / sigma^2;  d lp / d sigma = (sum z_i^2 - n) / sigma
// Nothing per row is stored: backward recomputes y_i - mu_i from the referenced data.

template <class Real>
struct NormalNode final : MatrixNode<Real> {
  const Eigen::VectorXd* y;
  BasicMatVar<Real> mu;
  ScalarArg<Real> sigma;
  Real sum_z2;
  Index out = 0;
  NormalNode(Tape<Real>& t, const Eigen::VectorXd& y_, const BasicMatVar<Real>& mu_, const ScalarArg<Real>& s,
             const Real& z2)
      : MatrixNode<Real>(t, nullptr, 0), y(&y_), mu(mu_), sigma(s), sum_z2(z2) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (is_zero(g)) return;
    const Real w = g / (sigma.value * sigma.value);
    const Real* m = mu.value_data();
    const double* yy = y->data();
    Real* dm = mu.adjoint_data();
    for (Eigen::Index i = 0; i < y->size(); ++i) dm[i] += w * (yy[i] - m[i]);
    add_scalar(adj, sigma, g * (sum_z2 - static_cast<double>(y->size())) / sigma.value);
  }
};

// ---- Student-t ----
// r = y - mu, q = r^2 / (sigma^2 nu), lp_i = c - (nu + 1)/2 log1p(q),
// c = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma
// d/dmu_i = (nu + 1) r / (sigma^2 nu + r^2)
// d/dsigma = sum_i [-1/sigma + (nu + 1) q / (sigma (1 + q))]
// d/dnu = sum_i [psi((nu+1)/2)/2 - psi(nu/2)/2 - 1/(2 nu) - log1p(q)/2 + (nu + 1) q / (2 nu (1 + q))]
// log1p stays (no SIMD): log(1 + q) would lose (nu + 1)/2 * 1e-16 per row at large nu.

template <class Real>
struct StudentTNode final : MatrixNode<Real> {
  BasicMatVar<Real> mu;
  ScalarArg<Real> nu, sigma;
  const Real* d_mu;  // per row, in the arena
  Real d_nu, d_sigma;
  Index out = 0;
  StudentTNode(Tape<Real>& t, const BasicMatVar<Real>& mu_, const ScalarArg<Real>& n, const ScalarArg<Real>& s,
               const Real* dm, const Real& dn, const Real& ds)
      : MatrixNode<Real>(t, nullptr, 0), mu(mu_), nu(n), sigma(s), d_mu(dm), d_nu(dn), d_sigma(ds) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    if (is_zero(g)) return;
    Real* dm = mu.adjoint_data();
    for (Eigen::Index i = 0; i < mu.size(); ++i) dm[i] += g * d_mu[i];
    add_scalar(adj, nu, g * d_nu);
    add_scalar(adj, sigma, g * d_sigma);
  }
};

}  // namespace

// The per-row terms of the Bernoulli, Poisson and categorical densities over a range of rows,
// shared with the GLM nodes (glm.cpp), which compute eta block by block (density_terms.hpp).
namespace detail {

// ---- Bernoulli with logit ----
// With u = (1 - 2 y) eta (-eta for y = 1, eta for y = 0): lp = -softplus(u) and
// d lp / d eta = y - sigmoid(eta) = -(1 - 2 y) sigmoid(u).
// With t = exp(-|eta|) = exp(-|u|): softplus(u) = max(u, 0) + log(1 + t); sigmoid(u) = 1/(1+t)
// for u >= 0, t/(1+t) for u < 0. Going through u keeps d to full relative precision (no
// 1 - sigmoid), gives lp = 0 at eta = +inf for y = 1, and costs one exp per row and one log
// per block of rows. log(1 + t), not log1p(t): Eigen 3.4 has no SIMD log1p for doubles; for
// t < 1e-16 it drops a term below 1e-16 absolute, which a sum over rows cannot see.

double bernoulli_forward(const double* y, Eigen::Index n, const double* eta, double* d) {
  double total = 0;
  for (Eigen::Index start = 0; start < n; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - start);
    const auto e = ConstColumn(eta + start, len);
    const auto yy = ConstColumn(y + start, len);
    // y (1 - y) is 0 exactly for y in {0, 1}; any other y, NaN included, makes the sum non-zero
    // (a sum of |.| cannot cancel). Much cheaper than a per-row select; the caller names the row.
    if ((yy * (1.0 - yy)).abs().sum() != 0) return NAN;
    const BlockArray s = 1.0 - 2.0 * yy;
    const BlockArray u = s * e;
    BlockArray t = -e.abs();
    detail::exp_array(t.data(), t.data(), len);
    const BlockArray inv = 1.0 / (1.0 + t);
    // sum log(1 + t) as the log of the product: each factor is in (1, 2], so 256 of them stay
    // below 2^256, and the product's rounding (256 eps relative) is an absolute error of 256 eps
    // in its log, no more than the sum's own. One log per block instead of one per row.
    total -= u.max(0.0).sum() + std::log((1.0 + t).prod());
    // sigmoid(u) = (u >= 0 ? 1 : t) / (1 + t), the choice written as min(1, t + max(u, 0)):
    // exactly t for u < 0, and 1 for u >= 0 since e^-u + u >= 1 (to exp's rounding, 2 ulp, where
    // u < 1e-8). Eigen 3.4's select() runs one element at a time and a branch on the sign of u
    // mispredicts every other row; min and max are SIMD.
    Column(d + start, len) = -s * ((t + u.max(0.0)).min(1.0) * inv);
  }
  return total;
}

void bernoulli_curvature(const double* eta, Eigen::Index n, double* h) {
  Column out(h, n);
  out = -ConstColumn(eta, n).abs();
  exp_array(h, h, n);
  out = -out / (1.0 + out).square();
}

// The Dual form of a one-column density: the value parts through its double form (SIMD, and
// the same rounding as the Var path), the tangents from r = d lp / d eta and the curvature h:
// lp' = sum_i r_i eta'_i, r_i' = h_i eta'_i. A Hessian is p such sweeps over every row, so this
// loop is what standard errors wait for (where the one-pass GLM Hessian does not apply).
template <class Forward, class Curvature>
Dual dual_form(const double* y, Eigen::Index n, const Dual* eta, Dual* d, Forward forward, Curvature curvature) {
  Dual total(0);
  BlockArray v(kBlock), r(kBlock), h(kBlock);
  for (Eigen::Index start = 0; start < n; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - start);
    v.resize(len);
    r.resize(len);
    h.resize(len);
    for (Eigen::Index i = 0; i < len; ++i) v[i] = eta[start + i].v;
    const double value = forward(y + start, len, v.data(), r.data());
    if (std::isnan(value)) return Dual(NAN);  // the caller names the row or the element
    curvature(v.data(), len, h.data());
    double tangent = 0;
    for (Eigen::Index i = 0; i < len; ++i) {
      const double dv = eta[start + i].d;
      tangent += r[i] * dv;
      d[start + i] = Dual(r[i], h[i] * dv);
    }
    total += Dual(value, tangent);
  }
  return total;
}

Dual bernoulli_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d) {
  return dual_form(y, n, eta, d, [](const double* yy, Eigen::Index len, const double* v, double* r) {
    return bernoulli_forward(yy, len, v, r);
  }, bernoulli_curvature);
}

// ---- Poisson with log rate ----
// lp_i = y_i eta_i - exp(eta_i) - lgamma(y_i + 1);  d lp / d eta_i = y_i - exp(eta_i)

// log(c!) of a validated count: a table for the small counts most data hold, Stirling's series
// beyond. Not std::lgamma per row: it is slow, and glibc's writes the global signgam, a data
// race when fits run in parallel threads.
double log_factorial(double c) {
  constexpr std::size_t kTable = 256;
  static const std::array<double, kTable> table = [] {
    std::array<double, kTable> t{};
    for (std::size_t k = 0; k < kTable; ++k) t[k] = std::lgamma(static_cast<double>(k) + 1.0);
    return t;
  }();
  if (c < static_cast<double>(kTable)) return table[static_cast<std::size_t>(c)];
  // lgamma(x) = (x - 1/2) log x - x + log(2 pi)/2 + 1/(12x) - 1/(360x^3) + 1/(1260x^5) - ...;
  // from x = 257 the first omitted term, 1/(1680 x^7), is below 1e-19.
  const double x = c + 1, r = 1 / (x * x);
  return (x - 0.5) * std::log(x) - x + detail::kLogSqrtTwoPi + (1.0 / 12 - r * (1.0 / 360 - r / 1260)) / x;
}

// Validates the counts and returns sum_i log(y_i!).
double poisson_log_factorials(const char* function, const Eigen::VectorXd& y) {
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53: beyond it every double is an integer
  double total = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const double c = y[i];
    if (!(c >= 0 && c <= kMaxExact) || static_cast<double>(static_cast<std::int64_t>(c)) != c) {
      throw_domain_at(function, "y", i, "must be a non-negative integer count", c);
    }
    total += log_factorial(c);
  }
  return total;
}

double poisson_forward(const double* y, Eigen::Index n, const double* eta, double* d) {
  double total = 0;
  for (Eigen::Index start = 0; start < n; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - start);
    const auto e = ConstColumn(eta + start, len);
    const auto yy = ConstColumn(y + start, len);
    const BlockArray rate = e.exp();
    total += ((yy == 0).select(0.0, yy * e) - rate).sum();  // 0 * eta is 0 even at eta = -inf
    Column(d + start, len) = yy - rate;
  }
  return total;
}

void poisson_curvature(const double* eta, Eigen::Index n, double* h) { Column(h, n) = -ConstColumn(eta, n).exp(); }

Dual poisson_forward(const double* y, Eigen::Index n, const Dual* eta, Dual* d) {
  return dual_form(y, n, eta, d, [](const double* yy, Eigen::Index len, const double* v, double* r) {
    return poisson_forward(yy, len, v, r);
  }, poisson_curvature);
}

// ---- categorical with logits ----
// lp_i = eta_{i, y_i} - lse_i, lse_i = log_sum_exp(row i of eta)
// d lp / d eta_ij = [j == y_i] - softmax(row i)_j, softmax_j = exp(eta_ij - m_i) / s_i with m_i
// the row's maximum and s_i = sum_j exp(eta_ij - m_i): one exp per element.

// eta and d are n x k, column-major. Blocks of rows, one column at a time (SIMD exp).
double categorical_forward(const int* y, const double* eta, Eigen::Index n, Eigen::Index k, double* d) {
  double total = 0;
  for (Eigen::Index start = 0; start < n; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - start);
    BlockArray m = ConstColumn(eta + start, len);
    for (Eigen::Index j = 1; j < k; ++j) m = m.max(ConstColumn(eta + j * n + start, len));
    BlockArray s = BlockArray::Zero(len);
    for (Eigen::Index j = 0; j < k; ++j) {
      Column p(d + j * n + start, len);
      p = ConstColumn(eta + j * n + start, len) - m;
      detail::exp_array(p.data(), p.data(), len);
      s += p;
    }
    const BlockArray minus_inv = -1.0 / s;
    for (Eigen::Index j = 0; j < k; ++j) Column(d + j * n + start, len) *= minus_inv;  // -softmax
    for (Eigen::Index i = start; i < start + len; ++i) {
      const Eigen::Index at = y[i] * n + i;
      total += eta[at];
      d[at] += 1.0;
    }
    total -= (m + s.log()).sum();
  }
  return total;
}

// The Dual form, as Bernoulli's: values through the double form (blocks of rows copied out as
// a column-major len x k block), tangents from r = d lp / d eta = onehot - p:
// lp' = sum_j r_j eta'_j and r_j' = -p_j (eta'_j - sum_l p_l eta'_l).
Dual categorical_forward(const int* y, const Dual* eta, Eigen::Index n, Eigen::Index k, Dual* d) {
  const Eigen::Index rows = std::max<Eigen::Index>(1, 4096 / std::max<Eigen::Index>(k, 1));
  std::vector<double> v(static_cast<std::size_t>(std::min(rows, n) * k)), r(v.size());
  Dual total(0);
  for (Eigen::Index start = 0; start < n; start += rows) {
    const Eigen::Index len = std::min(rows, n - start);
    for (Eigen::Index j = 0; j < k; ++j)
      for (Eigen::Index i = 0; i < len; ++i) v[j * len + i] = eta[j * n + start + i].v;
    const double value = categorical_forward(y + start, v.data(), len, k, r.data());
    double tangent = 0;
    for (Eigen::Index i = 0; i < len; ++i) {
      double mean = 0;  // sum_l p_l eta'_l
      for (Eigen::Index j = 0; j < k; ++j) {
        const double p = (j == y[start + i] ? 1.0 : 0.0) - r[j * len + i];
        mean += p * eta[j * n + start + i].d;
      }
      for (Eigen::Index j = 0; j < k; ++j) {
        const double rj = r[j * len + i], p = (j == y[start + i] ? 1.0 : 0.0) - rj, dv = eta[j * n + start + i].d;
        tangent += rj * dv;
        d[j * n + start + i] = Dual(rj, -p * (dv - mean));
      }
    }
    total += Dual(value, tangent);
  }
  return total;
}

}  // namespace detail

using detail::bernoulli_forward;
using detail::categorical_forward;
using detail::poisson_forward;
using detail::poisson_log_factorials;

template <class Real>
BasicVar<Real> normal_lpdf(const Eigen::VectorXd& y, const BasicMatVar<Real>& mu, detail::ScalarParam<Real> sigma) {
  static constexpr const char* kName = "normal_lpdf";
  check_shape(kName, y.size(), "mu", mu.rows(), mu.cols(), true);
  detail::check_positive_finite(kName, "sigma", value_of(sigma.value));
  check_data_not_nan(kName, y);
  using std::log;
  Tape<Real>& tape = active_tape<Real>();
  using Array = Eigen::Array<Real, Eigen::Dynamic, 1>;
  // Eigen's reduction is SIMD for double; a plain loop's sum is not (its order is fixed).
  const Real sum_r2 = (y.array().template cast<Real>() - Eigen::Map<const Array>(mu.value_data(), y.size())).square().sum();
  if (std::isnan(value_of(sum_r2))) explain_nan(kName, "mu", mu);
  const Real sum_z2 = sum_r2 / (sigma.value * sigma.value);
  const double n = static_cast<double>(y.size());
  const Real value = -n * log(sigma.value) - n * detail::kLogSqrtTwoPi - 0.5 * sum_z2;
  auto* node = emplace_node<NormalNode<Real>>(tape, y, mu, sigma, sum_z2);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> student_t_lpdf(const Eigen::VectorXd& y, detail::ScalarParam<Real> nu, const BasicMatVar<Real>& mu,
                              detail::ScalarParam<Real> sigma) {
  static constexpr const char* kName = "student_t_lpdf";
  check_shape(kName, y.size(), "mu", mu.rows(), mu.cols(), true);
  detail::check_positive_finite(kName, "nu", value_of(nu.value));
  detail::check_positive_finite(kName, "sigma", value_of(sigma.value));
  check_data_not_nan(kName, y);
  using std::lgamma;
  using std::log;
  using std::log1p;
  Tape<Real>& tape = active_tape<Real>();
  const Real& v = nu.value;
  const Real& s = sigma.value;
  const Real half = (v + 1.0) * 0.5;
  const Real inv_s2nu = 1.0 / (s * s * v);
  const Real v_plus = v + 1.0;
  const double n = static_cast<double>(y.size());
  Real* d_mu = tape.template allocate_array<Real>(static_cast<std::size_t>(y.size()));
  const Real* m = mu.value_data();
  Real sum_log1p(0), sum_q_ratio(0);  // sum log1p(q), sum q / (1 + q)
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const Real r = y[i] - m[i];
    const Real q = r * r * inv_s2nu;
    const Real inv_1q = 1.0 / (1.0 + q);
    sum_log1p += log1p(q);
    sum_q_ratio += q * inv_1q;
    d_mu[i] = v_plus * r * inv_s2nu * inv_1q;  // = (nu + 1) r / (sigma^2 nu + r^2)
  }
  if (std::isnan(value_of(sum_log1p))) explain_nan(kName, "mu", mu);
  const Real value = n * (lgamma(half) - lgamma(v * 0.5) - 0.5 * (log(v) + detail::kLogPi) - log(s)) - half * sum_log1p;
  const Real d_sigma = (-n + v_plus * sum_q_ratio) / s;
  const Real d_nu =
      n * (0.5 * digamma(half) - 0.5 * digamma(v * 0.5) - 0.5 / v) - 0.5 * sum_log1p + half / v * sum_q_ratio;
  auto* node = emplace_node<StudentTNode<Real>>(tape, mu, nu, sigma, d_mu, d_nu, d_sigma);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> bernoulli_logit_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "bernoulli_logit_lpmf";
  check_shape(kName, y.size(), "eta", eta.rows(), eta.cols(), true);
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(y.size()));
  const Real value = bernoulli_forward(y.data(), y.size(), eta.value_data(), d);
  if (std::isnan(value_of(value))) {  // a y outside {0, 1} (NaN included) or a NaN eta: say where
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (y[i] != 0 && y[i] != 1) throw_domain_at(kName, "y", i, "must be 0 or 1", y[i]);
    }
    explain_nan(kName, "eta", eta);
  }
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> poisson_log_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "poisson_log_lpmf";
  check_shape(kName, y.size(), "eta", eta.rows(), eta.cols(), true);
  const double log_factorials = poisson_log_factorials(kName, y);
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(y.size()));
  const Real value = poisson_forward(y.data(), y.size(), eta.value_data(), d) - log_factorials;
  if (std::isnan(value_of(value))) explain_nan(kName, "eta", eta);
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> categorical_logit_lpmf(const Eigen::VectorXi& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "categorical_logit_lpmf";
  check_shape(kName, y.size(), "eta", eta.rows(), eta.cols(), false);
  const Eigen::Index k = eta.cols();
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= k) {
      throw_domain_at(kName, "y", i, "must be a class index in 0.." + std::to_string(k - 1), y[i]);
    }
  }
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(eta.size()));
  const Real value = categorical_forward(y.data(), eta.value_data(), eta.rows(), k, d);
  if (std::isnan(value_of(value))) explain_nan(kName, "eta", eta);
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, value);
}

#define TAPEGRAD_INSTANTIATE_DENSITIES(Real)                                                                         \
  template BasicVar<Real> normal_lpdf(const Eigen::VectorXd&, const BasicMatVar<Real>&, detail::ScalarParam<Real>);  \
  template BasicVar<Real> student_t_lpdf(const Eigen::VectorXd&, detail::ScalarParam<Real>, const BasicMatVar<Real>&, \
                                         detail::ScalarParam<Real>);                                                  \
  template BasicVar<Real> bernoulli_logit_lpmf(const Eigen::VectorXd&, const BasicMatVar<Real>&);                    \
  template BasicVar<Real> poisson_log_lpmf(const Eigen::VectorXd&, const BasicMatVar<Real>&);                        \
  template BasicVar<Real> categorical_logit_lpmf(const Eigen::VectorXi&, const BasicMatVar<Real>&);

TAPEGRAD_INSTANTIATE_DENSITIES(double)
TAPEGRAD_INSTANTIATE_DENSITIES(Dual)
#undef TAPEGRAD_INSTANTIATE_DENSITIES

}  // namespace tapegrad
