// Vectorised log densities: each is one fused node. The forward pass computes the sum and
// stores what the backward pass needs (usually d/d(parameter_i) per row), so backward is one
// multiply-add per row.

#include "tapegrad/autodiff/densities.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "matrix_node.hpp"

namespace tapegrad {

namespace detail {
void throw_domain(const char* function, const char* argument, const char* requirement, double value) {
  std::ostringstream msg;
  msg.precision(17);
  msg << function << ": " << argument << " " << requirement << ", got " << value;
  throw std::domain_error(msg.str());
}
}  // namespace detail

using detail::emplace_node;
using detail::new_scalar_output;
using detail::ScalarArg;

namespace {

[[noreturn]] void throw_row(const char* function, const char* argument, Eigen::Index row, const char* requirement,
                            double value) {
  std::ostringstream msg;
  msg.precision(17);
  msg << function << ": " << argument << "[" << row << "] " << requirement << ", got " << value;
  throw std::domain_error(msg.str());
}

// A vector parameter (cols == 1 expected) has one element per observation; a matrix one row.
void check_length(const char* function, Eigen::Index n_data, Eigen::Index rows, Eigen::Index cols,
                  const char* what, bool one_column) {
  if (rows != n_data || (one_column && cols != 1)) {
    throw std::invalid_argument(std::string(function) + ": " + what + " is " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " but y has " + std::to_string(n_data) + " rows");
  }
}

// After a forward pass gave a non-finite sum: find the row that caused it and say so.
template <class Real>
void explain_nan(const char* function, const char* argument, const BasicMatVar<Real>& m) {
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    if (std::isnan(value_of(m.value_data()[k]))) throw_row(function, argument, k % m.rows(), "must not be NaN", NAN);
  }
}

void check_data_not_nan(const char* function, const Eigen::VectorXd& y) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i])) throw_row(function, "y", i, "must not be NaN", y[i]);
  }
}

// Adds g * d to the scalar adjoint of a parameter when it is a variable.
template <class Real>
void add_scalar(Real* adj, const ScalarArg<Real>& p, const Real& g) {
  if (p.is_variable) adj[p.index] += g;
}

// ---- normal ----
// lp = -n log sigma - n log sqrt(2 pi) - sum z_i^2 / 2, z_i = (y_i - mu_i) / sigma
// d lp / d mu_i = z_i / sigma;  d lp / d sigma = (sum z_i^2 - n) / sigma

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
    const Real w = g / (sigma.value * sigma.value);
    const Real* m = mu.value_data();
    Real* dm = mu.adjoint_data();
    for (Eigen::Index i = 0; i < y->size(); ++i) dm[i] += w * ((*y)[i] - m[i]);
    add_scalar(adj, sigma, g * (sum_z2 - static_cast<double>(y->size())) / sigma.value);
  }
};

// ---- Student-t ----
// r = y - mu, q = r^2 / (sigma^2 nu), lp_i = c - (nu + 1)/2 log1p(q),
// c = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma
// d/dmu_i = (nu + 1) r / (sigma^2 nu + r^2)
// d/dsigma = sum_i [-1/sigma + (nu + 1) q / (sigma (1 + q))]
// d/dnu = sum_i [psi((nu+1)/2)/2 - psi(nu/2)/2 - 1/(2 nu) - log1p(q)/2 + (nu + 1) q / (2 nu (1 + q))]

template <class Real>
struct StudentTNode final : MatrixNode<Real> {
  BasicMatVar<Real> mu;
  ScalarArg<Real> nu, sigma;
  Real* d_mu;  // per row, in the arena
  Real d_nu, d_sigma;
  Index out = 0;
  StudentTNode(Tape<Real>& t, const BasicMatVar<Real>& mu_, const ScalarArg<Real>& n, const ScalarArg<Real>& s,
               Real* dm, const Real& dn, const Real& ds)
      : MatrixNode<Real>(t, nullptr, 0), mu(mu_), nu(n), sigma(s), d_mu(dm), d_nu(dn), d_sigma(ds) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    Real* dm = mu.adjoint_data();
    for (Eigen::Index i = 0; i < mu.size(); ++i) dm[i] += g * d_mu[i];
    add_scalar(adj, nu, g * d_nu);
    add_scalar(adj, sigma, g * d_sigma);
  }
};

// ---- nodes whose backward is "adjoint_i += g * stored derivative_i" ----

template <class Real>
struct StoredDerivativeNode final : MatrixNode<Real> {
  BasicMatVar<Real> eta;
  const Real* d_eta;  // d lp / d eta, per element, in the arena
  Index out = 0;
  StoredDerivativeNode(Tape<Real>& t, const BasicMatVar<Real>& e, const Real* d)
      : MatrixNode<Real>(t, nullptr, 0), eta(e), d_eta(d) {}
  void backward(Real* adj) override {
    const Real g = adj[out];
    Real* de = eta.adjoint_data();
    for (Eigen::Index k = 0; k < eta.size(); ++k) de[k] += g * d_eta[k];
  }
};

template <class Real, class Node>
BasicVar<Real> finish(Tape<Real>& tape, Node* node, const Real& value) {
  BasicVar<Real> out = new_scalar_output(tape, value);
  node->out = out.index();
  return out;
}

// ---- Bernoulli with logit ----
// lp_i = y_i eta_i - softplus(eta_i);  d lp / d eta_i = y_i - sigmoid(eta_i)
// With t = exp(-|eta|): softplus(eta) = max(eta, 0) + log(1 + t), sigmoid(eta) = 1/(1+t) or
// t/(1+t). One exp and one log per row, in blocks so Eigen's SIMD exp and log apply.
// log(1 + t) instead of log1p(t): Eigen 3.4 has no SIMD log1p for doubles; for t < 1e-16 it
// drops a term below 1e-16 absolute, which a sum over rows cannot see.

double bernoulli_forward(const Eigen::VectorXd& y, const double* eta, double* d) {
  constexpr Eigen::Index kBlock = 256;
  double total = 0;
  const Eigen::Index n = y.size();
  for (Eigen::Index start = 0; start < n; start += kBlock) {
    const Eigen::Index len = std::min(kBlock, n - start);
    const auto e = Eigen::Map<const Eigen::ArrayXd>(eta + start, len);
    const auto yy = y.segment(start, len).array();
    const Eigen::Array<double, Eigen::Dynamic, 1, 0, kBlock, 1> t = (-e.abs()).exp();
    const Eigen::Array<double, Eigen::Dynamic, 1, 0, kBlock, 1> inv = 1.0 / (1.0 + t);
    // A y outside {0, 1} makes the sum NaN, so the caller validates only on that path.
    const auto valid = (yy == 0.0) || (yy == 1.0);
    total += valid.select(yy * e - e.max(0.0) - (1.0 + t).log(), NAN).sum();
    Eigen::Map<Eigen::ArrayXd>(d + start, len) = yy - (e >= 0).select(inv, t * inv);
  }
  return total;
}

Dual bernoulli_forward(const Eigen::VectorXd& y, const Dual* eta, Dual* d) {
  Dual total(0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] != 0 && y[i] != 1) return Dual(NAN);  // the caller names the row
    total += y[i] * eta[i] - detail::softplus_of(eta[i]);
    d[i] = y[i] - detail::sigmoid_of(eta[i]);
  }
  return total;
}

// ---- Poisson with log rate ----
// lp_i = y_i eta_i - exp(eta_i) - lgamma(y_i + 1);  d lp / d eta_i = y_i - exp(eta_i)

template <class Real>
Real poisson_forward(const Eigen::VectorXd& y, const Real* eta, Real* d) {
  using std::exp;
  Real total(0);
  double log_factorials = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const Real rate = exp(eta[i]);
    total += (y[i] == 0 ? Real(0) : y[i] * eta[i]) - rate;  // 0 * eta is 0 even at eta = -inf
    log_factorials += std::lgamma(y[i] + 1);
    d[i] = y[i] - rate;
  }
  return total - log_factorials;
}

}  // namespace

template <class Real>
BasicVar<Real> normal_lpdf(const Eigen::VectorXd& y, const BasicMatVar<Real>& mu, detail::ScalarParam<Real> sigma) {
  static constexpr const char* kName = "normal_lpdf";
  check_length(kName, y.size(), mu.rows(), mu.cols(), "mu", true);
  detail::check_positive_finite(kName, "sigma", value_of(sigma.value));
  check_data_not_nan(kName, y);
  using std::log;
  Tape<Real>& tape = active_tape<Real>();
  const Real* m = mu.value_data();
  Real sum_z2(0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const Real r = y[i] - m[i];
    sum_z2 += r * r;
  }
  sum_z2 = sum_z2 / (sigma.value * sigma.value);
  if (std::isnan(value_of(sum_z2))) explain_nan(kName, "mu", mu);
  const double n = static_cast<double>(y.size());
  const Real value = -n * log(sigma.value) - n * detail::kLogSqrtTwoPi - 0.5 * sum_z2;
  auto* node = emplace_node<NormalNode<Real>>(tape, y, mu, sigma, sum_z2);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> student_t_lpdf(const Eigen::VectorXd& y, detail::ScalarParam<Real> nu, const BasicMatVar<Real>& mu,
                              detail::ScalarParam<Real> sigma) {
  static constexpr const char* kName = "student_t_lpdf";
  check_length(kName, y.size(), mu.rows(), mu.cols(), "mu", true);
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
    d_mu[i] = (v + 1.0) * r * inv_s2nu * inv_1q;  // = (nu + 1) r / (sigma^2 nu + r^2)
  }
  if (std::isnan(value_of(sum_log1p))) explain_nan(kName, "mu", mu);
  const Real value = n * (lgamma(half) - lgamma(v * 0.5) - 0.5 * (log(v) + detail::kLogPi) - log(s)) - half * sum_log1p;
  const Real d_sigma = (-n + (v + 1.0) * sum_q_ratio) / s;
  const Real d_nu = n * (0.5 * digamma(half) - 0.5 * digamma(v * 0.5) - 0.5 / v) - 0.5 * sum_log1p +
                    half / v * sum_q_ratio;
  auto* node = emplace_node<StudentTNode<Real>>(tape, mu, nu, sigma, d_mu, d_nu, d_sigma);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> bernoulli_logit_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "bernoulli_logit_lpmf";
  check_length(kName, y.size(), eta.rows(), eta.cols(), "eta", true);
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(y.size()));
  const Real value = bernoulli_forward(y, eta.value_data(), d);
  if (!std::isfinite(value_of(value))) {  // a y outside {0, 1} (NaN included) or a NaN eta: say where
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      if (y[i] != 0 && y[i] != 1) throw_row(kName, "y", i, "must be 0 or 1", y[i]);
    }
    explain_nan(kName, "eta", eta);
  }
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, value);
}

template <class Real>
BasicVar<Real> poisson_log_lpmf(const Eigen::VectorXd& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "poisson_log_lpmf";
  check_length(kName, y.size(), eta.rows(), eta.cols(), "eta", true);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!(y[i] >= 0) || y[i] != std::floor(y[i]) || !std::isfinite(y[i])) {
      throw_row(kName, "y", i, "must be a non-negative count", y[i]);
    }
  }
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(y.size()));
  const Real value = poisson_forward(y, eta.value_data(), d);
  if (std::isnan(value_of(value))) explain_nan(kName, "eta", eta);
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, value);
}

// lp_i = eta_{i, y_i} - log_sum_exp(eta_i.);  d lp / d eta_ij = [j == y_i] - softmax(eta_i.)_j
template <class Real>
BasicVar<Real> categorical_logit_lpmf(const Eigen::VectorXi& y, const BasicMatVar<Real>& eta) {
  static constexpr const char* kName = "categorical_logit_lpmf";
  check_length(kName, y.size(), eta.rows(), eta.cols(), "eta", false);
  const Eigen::Index k = eta.cols();
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= k) {
      throw_row(kName, "y", i, ("must be a class index in 0.." + std::to_string(k - 1)).c_str(), y[i]);
    }
  }
  using std::exp;
  using std::log;
  Tape<Real>& tape = active_tape<Real>();
  Real* d = tape.template allocate_array<Real>(static_cast<std::size_t>(eta.size()));
  Eigen::Map<MatrixX<Real>> dm(d, eta.rows(), k);
  const auto e = eta.value();
  Real total(0);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    Real m = e(i, 0);
    for (Eigen::Index j = 1; j < k; ++j) m = e(i, j) > m ? e(i, j) : m;
    Real s(0);
    for (Eigen::Index j = 0; j < k; ++j) s += exp(e(i, j) - m);
    const Real lse = m + log(s);
    total += e(i, y[i]) - lse;
    for (Eigen::Index j = 0; j < k; ++j) dm(i, j) = (j == y[i] ? 1.0 : 0.0) - exp(e(i, j) - lse);
  }
  if (std::isnan(value_of(total))) explain_nan(kName, "eta", eta);
  auto* node = emplace_node<StoredDerivativeNode<Real>>(tape, eta, d);
  return finish(tape, node, total);
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
