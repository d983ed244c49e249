// GLM nodes (glm.hpp): each equals its two-node form (matmul, add_to_rows, then the vectorised
// density) in value, gradient and Hessian, with and without an intercept, over several blocks
// of rows and on a shard's rows, and so do the one-pass *_glm_derivatives; its gradient and
// Hessian match finite differences; bad input is named; the tape holds O(d K), not O(N).
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "tapegrad/autodiff.hpp"

using tapegrad::data_rows;
using tapegrad::data_view;
using tapegrad::DataMatrix;

namespace {

struct Data {
  Eigen::MatrixXd X;
  Eigen::VectorXd binary, counts, continuous;
  Eigen::VectorXi classes;
};

// d = 40 columns: 409 rows per block, so n = 1000 spans three blocks, the last one partial.
Data make_data(Eigen::Index n, Eigen::Index d, int k, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z;
  std::poisson_distribution<int> poisson(1.5);
  std::uniform_int_distribution<int> cls(0, k - 1);
  Data data;
  data.X.resize(n, d);
  data.binary.resize(n);
  data.counts.resize(n);
  data.classes.resize(n);
  data.continuous.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) data.X(i, j) = z(rng) / std::sqrt(static_cast<double>(d));
    data.continuous[i] = 0.5 + data.X(i, 0) + 0.8 * z(rng);
    data.binary[i] = z(rng) > 0.3 ? 1.0 : 0.0;
    data.counts[i] = poisson(rng);
    data.classes[i] = cls(rng);
  }
  return data;
}

Eigen::VectorXd start(Eigen::Index size, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0.0, 0.5);
  Eigen::VectorXd theta(size);
  for (Eigen::Index i = 0; i < size; ++i) theta[i] = z(rng);
  return theta;
}

// normal: sigma held at kSigma; normal_learned: sigma = exp(theta's last entry).
enum class Family { bernoulli, poisson, categorical, normal, normal_learned };
constexpr Family kFamilies[] = {Family::bernoulli, Family::poisson, Family::categorical, Family::normal,
                                Family::normal_learned};
constexpr double kSigma = 0.7;

// Parameters of a GLM of family f on d features with k classes: W, b, and log sigma if learned.
Eigen::Index parameter_count(Family f, Eigen::Index d, int k, bool with_bias) {
  return d * k + (with_bias ? k : 0) + (f == Family::normal_learned ? 1 : 0);
}

// theta = (W column-major, then b when with_bias, then log sigma for normal_learned); `fused`
// picks the GLM node or the two-node form.
struct Glm {
  const Data* data;
  DataMatrix x;
  Family family;
  int k;
  bool with_bias;
  bool fused;

  template <class Th>
  auto operator()(const Th& theta) const {
    using Real = typename std::decay_t<decltype(theta[0])>::real_type;
    const Eigen::Index d = x.cols();
    const auto w = tapegrad::to_matrix(theta, 0, d, k);
    const tapegrad::BasicMatVar<Real> b =
        with_bias ? tapegrad::to_matrix(theta, static_cast<std::size_t>(d * k), 1, k) : tapegrad::BasicMatVar<Real>();
    const Eigen::Index first = x.data() - data->X.data();  // the shard's first row
    const Eigen::Index n = x.rows();
    const auto sigma = [&] {
      return family == Family::normal_learned ? tapegrad::BasicVar<Real>(exp(theta[theta.size() - 1]))
                                              : tapegrad::BasicVar<Real>(kSigma);
    };
    if (fused) {
      switch (family) {
        case Family::normal:
        case Family::normal_learned: {
          const Eigen::VectorXd yy = data->continuous.segment(first, n);
          return with_bias ? tapegrad::normal_id_glm_lpdf(yy, x, w, b, sigma())
                           : tapegrad::normal_id_glm_lpdf(yy, x, w, sigma());
        }
        case Family::bernoulli:
          return with_bias ? tapegrad::bernoulli_logit_glm_lpmf(Eigen::VectorXd(data->binary.segment(first, n)), x, w, b)
                           : tapegrad::bernoulli_logit_glm_lpmf(Eigen::VectorXd(data->binary.segment(first, n)), x, w);
        case Family::poisson:
          return with_bias ? tapegrad::poisson_log_glm_lpmf(Eigen::VectorXd(data->counts.segment(first, n)), x, w, b)
                           : tapegrad::poisson_log_glm_lpmf(Eigen::VectorXd(data->counts.segment(first, n)), x, w);
        case Family::categorical:
          return with_bias ? tapegrad::categorical_logit_glm_lpmf(Eigen::VectorXi(data->classes.segment(first, n)), x, w, b)
                           : tapegrad::categorical_logit_glm_lpmf(Eigen::VectorXi(data->classes.segment(first, n)), x, w);
      }
    }
    tapegrad::BasicMatVar<Real> eta = tapegrad::matmul(x, w);
    if (with_bias) eta = tapegrad::add_to_rows(eta, b);
    // The two-node densities keep a reference to y until the sweep: these copies outlive it.
    static thread_local Eigen::VectorXd y;
    static thread_local Eigen::VectorXi labels;
    switch (family) {
      case Family::bernoulli:
        y = data->binary.segment(first, n);
        return tapegrad::bernoulli_logit_lpmf(y, eta);
      case Family::poisson:
        y = data->counts.segment(first, n);
        return tapegrad::poisson_log_lpmf(y, eta);
      case Family::categorical:
        labels = data->classes.segment(first, n);
        return tapegrad::categorical_logit_lpmf(labels, eta);
      case Family::normal:
      case Family::normal_learned:
        y = data->continuous.segment(first, n);
        return tapegrad::normal_lpdf(y, eta, sigma());
    }
    throw std::logic_error("unreachable");
  }
};

double rel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(1.0, b.lpNorm<Eigen::Infinity>());
}

const char* name(Family f) {
  switch (f) {
    case Family::bernoulli: return "bernoulli";
    case Family::poisson: return "poisson";
    case Family::categorical: return "categorical";
    case Family::normal: return "normal, sigma fixed";
    case Family::normal_learned: return "normal, sigma learned";
  }
  return "";
}

// The one-pass second order of `glm` at theta (W column-major, then b: the layout of u).
tapegrad::GlmDerivatives one_pass(const Glm& glm, const Eigen::VectorXd& theta) {
  const Eigen::Index d = glm.x.cols(), k = glm.k;
  const Eigen::MatrixXd w = Eigen::Map<const Eigen::MatrixXd>(theta.data(), d, k);
  const Eigen::RowVectorXd b = glm.with_bias ? Eigen::RowVectorXd(theta.segment(d * k, k).transpose()) : Eigen::RowVectorXd();
  switch (glm.family) {
    case Family::bernoulli:
      return tapegrad::bernoulli_logit_glm_derivatives(glm.data->binary, glm.x, w, b);
    case Family::poisson:
      return tapegrad::poisson_log_glm_derivatives(glm.data->counts, glm.x, w, b);
    case Family::categorical:
      return tapegrad::categorical_logit_glm_derivatives(glm.data->classes, glm.x, w, b);
    case Family::normal:
      return tapegrad::normal_id_glm_derivatives(glm.data->continuous, glm.x, w, b, kSigma);
    case Family::normal_learned:
      return tapegrad::normal_id_glm_derivatives(glm.data->continuous, glm.x, w, b, std::exp(theta[theta.size() - 1]), true);
  }
  throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("glm: each fused node, and its one-pass derivatives, equal the two-node form's value, gradient and Hessian",
          "[glm]") {
  const Data data = make_data(1000, 40, 3, 5);
  for (Family family : kFamilies) {
    for (bool with_bias : {true, false}) {
      const int k = family == Family::categorical ? 3 : 1;
      INFO(name(family) << (with_bias ? " with" : " without") << " an intercept");
      const Glm fused{&data, data_view(data.X), family, k, with_bias, true};
      Glm two_node = fused;
      two_node.fused = false;
      const Eigen::VectorXd theta = start(parameter_count(family, 40, k, with_bias), 11);
      const auto a = tapegrad::gradient(fused, theta), b = tapegrad::gradient(two_node, theta);
      CHECK(std::abs(a.value - b.value) <= 1e-12 * std::abs(b.value));
      CHECK(rel(a.gradient, b.gradient) <= 1e-12);
      const auto ha = tapegrad::value_gradient_hessian(fused, theta);
      const auto hb = tapegrad::value_gradient_hessian(two_node, theta);
      CHECK(std::abs(ha.value - a.value) <= 1e-12 * std::abs(a.value));
      CHECK(rel(ha.gradient, a.gradient) <= 1e-12);
      CHECK(rel(ha.hessian, hb.hessian) <= 1e-12);
      const tapegrad::GlmDerivatives direct = one_pass(fused, theta);
      CHECK(std::abs(direct.value - ha.value) <= 1e-12 * std::abs(ha.value));
      CHECK(rel(direct.gradient, ha.gradient) <= 1e-12);
      CHECK(rel(direct.hessian, ha.hessian) <= 1e-12);
      CHECK((direct.hessian - direct.hessian.transpose()).lpNorm<Eigen::Infinity>() == 0.0);
    }
  }
}

TEST_CASE("glm: on a shard's rows the node equals the same rows copied out", "[glm]") {
  const Data data = make_data(1000, 40, 4, 6);
  const Eigen::MatrixXd rows = data.X.middleRows(300, 500);
  Data copied;
  copied.X = rows;
  copied.binary = data.binary.segment(300, 500);
  copied.counts = data.counts.segment(300, 500);
  copied.classes = data.classes.segment(300, 500);
  copied.continuous = data.continuous.segment(300, 500);
  for (Family family : kFamilies) {
    INFO(name(family));
    const int k = family == Family::categorical ? 4 : 1;
    const Glm shard{&data, data_rows(data.X, 300, 500), family, k, true, true};
    const Glm whole{&copied, data_view(copied.X), family, k, true, true};
    const Eigen::VectorXd theta = start(parameter_count(family, 40, k, true), 12);
    const auto a = tapegrad::gradient(shard, theta), b = tapegrad::gradient(whole, theta);
    CHECK(a.value == b.value);  // the same blocks of the same rows: bitwise
    CHECK(a.gradient == b.gradient);
  }
}

TEST_CASE("glm: gradients and Hessians match finite differences", "[glm]") {
  const Data data = make_data(300, 5, 3, 7);
  for (Family family : kFamilies) {
    INFO(name(family));
    const int k = family == Family::categorical ? 3 : 1;
    const Glm f{&data, data_view(data.X), family, k, true, true};
    const Eigen::VectorXd theta = start(parameter_count(family, 5, k, true), 13);
    const tapegrad::CheckReport g = tapegrad::check_gradient_on_tape(f, theta);
    INFO(g.table());
    CHECK(g.passed);
    const tapegrad::CheckReport h = tapegrad::check_hessian(f, theta);
    INFO(h.table());
    CHECK(h.passed);
  }
}

TEST_CASE("glm: bad input is refused with the argument, the row or the element", "[glm]") {
  Data data = make_data(50, 3, 2, 8);
  tapegrad::ScopedTape tape;
  const tapegrad::MatVar w(Eigen::MatrixXd::Constant(3, 1, 0.1)), b(Eigen::MatrixXd::Constant(1, 1, 0.2));
  const DataMatrix x = data_view(data.X);

  Eigen::VectorXd y = data.binary;
  y[17] = 0.5;
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_glm_lpmf(y, x, w, b),
                    "bernoulli_logit_glm_lpmf: y[17] must be 0 or 1, got 0.5");
  Eigen::VectorXd counts = data.counts;
  counts[4] = -1;
  CHECK_THROWS_WITH(tapegrad::poisson_log_glm_lpmf(counts, x, w, b),
                    "poisson_log_glm_lpmf: y[4] must be a non-negative integer count, got -1");
  Eigen::VectorXi labels = data.classes;
  labels[9] = 2;
  const tapegrad::MatVar w2(Eigen::MatrixXd::Zero(3, 2));
  CHECK_THROWS_WITH(tapegrad::categorical_logit_glm_lpmf(labels, x, w2),
                    "categorical_logit_glm_lpmf: y[9] must be a class index in 0..1, got 2");

  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_glm_lpmf(Eigen::VectorXd(data.binary.head(49)), x, w),
                    "bernoulli_logit_glm_lpmf: x has 50 rows but y has 49");
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_glm_lpmf(data.binary, x, w2),
                    "bernoulli_logit_glm_lpmf: w is 3x2 but x has 3 columns (w must be 3x1)");
  CHECK_THROWS_WITH(tapegrad::categorical_logit_glm_lpmf(data.classes, x, w2, b),
                    "categorical_logit_glm_lpmf: b is 1x1 but w has 2 columns (b must be 1x2)");

  Eigen::MatrixXd bad_w = Eigen::MatrixXd::Constant(3, 1, 0.1);
  bad_w(2, 0) = NAN;
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_glm_lpmf(data.binary, x, tapegrad::MatVar(bad_w), b),
                    "bernoulli_logit_glm_lpmf: w[2,0] must not be NaN, got nan");

  Eigen::VectorXd continuous = data.continuous;
  continuous[7] = NAN;
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_lpdf(continuous, x, w, b, 1.0), "normal_id_glm_lpdf: y[7] must not be NaN, got nan");
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_lpdf(data.continuous, x, w, b, -1.0),
                    "normal_id_glm_lpdf: sigma must be positive and finite, got -1");
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_lpdf(data.continuous, x, tapegrad::MatVar(bad_w), b, 1.0),
                    "normal_id_glm_lpdf: w[2,0] must not be NaN, got nan");
  const Eigen::RowVectorXd b_row = Eigen::RowVectorXd::Constant(1, 0.2);
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_derivatives(data.continuous, x, w.value(), b_row, 0.0, true),
                    "normal_id_glm_derivatives: sigma must be positive and finite, got 0");
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_derivatives(continuous, x, w.value(), b_row, 1.0),
                    "normal_id_glm_derivatives: y[7] must not be NaN, got nan");
  CHECK_THROWS_WITH(tapegrad::normal_id_glm_derivatives(data.continuous, x, bad_w, b_row, 1.0, true),
                    "normal_id_glm_derivatives: w[2,0] must not be NaN, got nan");
}

TEST_CASE("glm: logits of +-1000 give a finite value and the exact gradient", "[glm]") {
  Eigen::MatrixXd X(2, 1);
  X << 1000.0, -1000.0;
  const Eigen::VectorXd y = (Eigen::VectorXd(2) << 0.0, 1.0).finished();  // both rows maximally wrong
  const auto f = [&](const auto& th) {
    return tapegrad::bernoulli_logit_glm_lpmf(y, data_view(X), tapegrad::to_matrix(th, 0, 1, 1));
  };
  const auto r = tapegrad::gradient(f, Eigen::VectorXd::Ones(1));
  CHECK(r.value == -2000.0);              // log sigmoid(-1000) twice, to rounding: -softplus(1000) = -1000
  CHECK(r.gradient[0] == -2000.0);        // (y - p) x = -1 * 1000 + (1 - 0) * -1000
}

TEST_CASE("glm: the tape holds O(d K) numbers whatever N, the two-node form O(N)", "[glm]") {
  const Data small = make_data(5000, 4, 2, 9), large = make_data(50000, 4, 2, 9);
  auto arena = [](const Data& data, bool fused) {
    tapegrad::ScopedTape tape;
    const tapegrad::MatVar w(Eigen::MatrixXd::Constant(4, 1, 0.1));
    const tapegrad::Var ll = fused ? tapegrad::bernoulli_logit_glm_lpmf(data.binary, data_view(data.X), w)
                                   : tapegrad::bernoulli_logit_lpmf(data.binary, tapegrad::matmul(data.X, w));
    tape.backward(ll.index());
    return tape.arena_bytes();
  };
  // 4096 rows per block at d = 4: one block's eta and d lp / d eta (64 kB), whatever N.
  CHECK(arena(small, true) == arena(large, true));
  CHECK(arena(large, true) < 100000);
  CHECK(arena(large, false) > 50000 * 3 * sizeof(double));  // eta, its adjoint, d lp / d eta
}


TEST_CASE("glm: the one-pass derivatives at logits of +-1000 and on bad input", "[glm]") {
  Eigen::MatrixXd x(4, 1);
  x << 1, -1, 1, -1;
  const Eigen::VectorXd y = (Eigen::VectorXd(4) << 1, 0, 0, 1).finished();
  const Eigen::MatrixXd w = Eigen::MatrixXd::Constant(1, 1, 1000.0);
  // Rows 0 and 1 are certain and right (lp 0), rows 2 and 3 certain and wrong (lp -1000 each):
  // d lp / dw = -1 - 1 = -2, curvature e^-1000 / (1 + e^-1000)^2 = 0 in doubles.
  const tapegrad::GlmDerivatives r = tapegrad::bernoulli_logit_glm_derivatives(y, data_view(x), w);
  CHECK(r.value == -2000.0);
  CHECK(r.gradient[0] == -2.0);
  CHECK(r.hessian(0, 0) == 0.0);

  const Eigen::VectorXd bad_y = (Eigen::VectorXd(4) << 1, 0, 2, 1).finished();
  CHECK_THROWS_WITH(tapegrad::bernoulli_logit_glm_derivatives(bad_y, data_view(x), w),
                    "bernoulli_logit_glm_derivatives: y[2] must be 0 or 1, got 2");
  const Eigen::MatrixXd nan_w = Eigen::MatrixXd::Constant(1, 1, NAN);
  CHECK_THROWS_WITH(tapegrad::poisson_log_glm_derivatives(y, data_view(x), nan_w),
                    "poisson_log_glm_derivatives: w[0,0] must not be NaN, got nan");
  CHECK_THROWS_AS(tapegrad::categorical_logit_glm_derivatives(Eigen::VectorXi::Zero(3), data_view(x), Eigen::MatrixXd::Zero(1, 2)),
                  std::invalid_argument);  // 4 rows of x, 3 labels
  // A NaN in x names nothing (data is checked where it is read) but must not pass for a result.
  Eigen::MatrixXd nan_x = x;
  nan_x(1, 0) = NAN;
  const tapegrad::GlmDerivatives nan_r = tapegrad::bernoulli_logit_glm_derivatives(y, data_view(nan_x), w);
  CHECK(std::isnan(nan_r.value));
  CHECK(nan_r.gradient.array().isNaN().all());
  CHECK(nan_r.hessian.array().isNaN().all());
}
