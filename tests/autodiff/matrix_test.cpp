#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "alloc_counter.hpp"
#include "tapegrad/autodiff.hpp"

using tapegrad::MatVar;

namespace {

// theta -> matrix variables A (r x c) and B (r x c) from consecutive parameters.
template <class Vec>
auto first_matrix(const Vec& th, Eigen::Index r, Eigen::Index c) {
  return tapegrad::to_matrix(th, 0, r, c);
}
template <class Vec>
auto second_matrix(const Vec& th, Eigen::Index r, Eigen::Index c) {
  return tapegrad::to_matrix(th, static_cast<std::size_t>(r * c), r, c);
}

Eigen::VectorXd random_point(Eigen::Index n, unsigned seed, double scale = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  Eigen::VectorXd x(n);
  for (Eigen::Index i = 0; i < n; ++i) x[i] = u(rng);
  return x;
}

// The engine's value of f at x (the matrix ops only run on a tape).
template <class F>
double value_at(F& f, const Eigen::VectorXd& x) {
  return tapegrad::gradient(f, x).value;
}

// Checks f's gradient (first order, Var) and Hessian (second order, HVar) against central
// differences at a few random points. f maps the parameters to a scalar through matrix ops.
template <class F>
void expect_matrix_derivatives(const std::string& op, F f, Eigen::Index n_params, double scale = 1.0) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const Eigen::VectorXd x = random_point(n_params, seed, scale);
    INFO(op << " at seed " << seed << ", x = " << x.transpose());
    const auto exact = tapegrad::value_gradient_hessian(f, x);
    const auto first = tapegrad::gradient(f, x);
    CHECK(exact.value == Approx(first.value).epsilon(1e-13));
    for (Eigen::Index i = 0; i < n_params; ++i) {
      const double h = 1e-5 * std::max(1.0, std::abs(x[i]));
      Eigen::VectorXd up = x, down = x;
      up[i] += h;
      down[i] -= h;
      const double numeric = (value_at(f, up) - value_at(f, down)) / (2 * h);
      CAPTURE(i);
      CHECK(first.gradient[i] == Approx(numeric).epsilon(1e-6).margin(1e-8));
      CHECK(exact.gradient[i] == Approx(first.gradient[i]).epsilon(1e-12).margin(1e-14));
      // Hessian column i against differences of the exact gradient.
      const Eigen::VectorXd column = (tapegrad::gradient(f, up).gradient - tapegrad::gradient(f, down).gradient) / (2 * h);
      for (Eigen::Index j = 0; j < n_params; ++j) {
        CAPTURE(j);
        CHECK(exact.hessian(j, i) == Approx(column[j]).epsilon(1e-5).margin(1e-7));
      }
    }
  }
}

// Weights that make every output element matter differently: sum(W .* M).
Eigen::MatrixXd weights(Eigen::Index r, Eigen::Index c) {
  Eigen::MatrixXd w(r, c);
  for (Eigen::Index k = 0; k < w.size(); ++k) w.data()[k] = 0.3 + 0.7 * static_cast<double>(k % 5) - 0.2 * static_cast<double>(k);
  return w;
}

}  // namespace

TEST_CASE("matrix: every op's gradient and Hessian match finite differences", "[matrix]") {
  const Eigen::Index r = 3, c = 2;
  const Eigen::MatrixXd W = weights(r, c);
  const Eigen::MatrixXd Wsq = weights(r, r);
  const Eigen::MatrixXd X = weights(4, r) * 0.5;  // data with r columns
  const Eigen::MatrixXd Xr = weights(c, 4) * 0.5;  // data with c rows
  const Eigen::MatrixXd W4c = weights(4, c), Wr4 = weights(r, 4), W1 = weights(r, c + 1);

  // One line per op: sum(W .* op(A[, B])).
  expect_matrix_derivatives("add", [&](const auto& th) { return dot(add(first_matrix(th, r, c), second_matrix(th, r, c)), W); }, 2 * r * c);
  expect_matrix_derivatives("subtract", [&](const auto& th) { return dot(subtract(first_matrix(th, r, c), second_matrix(th, r, c)), W); }, 2 * r * c);
  expect_matrix_derivatives("elementwise_product", [&](const auto& th) { return dot(elementwise_product(first_matrix(th, r, c), second_matrix(th, r, c)), W); }, 2 * r * c);
  expect_matrix_derivatives("matmul", [&](const auto& th) { return dot(matmul(first_matrix(th, r, c), second_matrix(th, c, r)), Wsq); }, 2 * r * c);
  expect_matrix_derivatives("data * matmul", [&](const auto& th) { return dot(matmul(X, first_matrix(th, r, c)), W4c); }, r * c);
  expect_matrix_derivatives("matmul * data", [&](const auto& th) { return dot(matmul(first_matrix(th, r, c), Xr), Wr4); }, r * c);
  expect_matrix_derivatives("scale by Var", [&](const auto& th) { return dot(scale(first_matrix(th, r, c), th[r * c]), W); }, r * c + 1);
  expect_matrix_derivatives("scale by double", [&](const auto& th) { return dot(scale(first_matrix(th, r, c), -1.5), W); }, r * c);
  expect_matrix_derivatives("add_to_rows", [&](const auto& th) { return dot(add_to_rows(first_matrix(th, r, c), tapegrad::to_matrix(th, r * c, 1, c)), W); }, r * c + c);
  expect_matrix_derivatives("exp", [&](const auto& th) { return dot(exp(first_matrix(th, r, c)), W); }, r * c);
  expect_matrix_derivatives("log", [&](const auto& th) { return dot(log(exp(first_matrix(th, r, c))), W); }, r * c);
  expect_matrix_derivatives("sigmoid", [&](const auto& th) { return dot(sigmoid(first_matrix(th, r, c)), W); }, r * c, 3.0);
  expect_matrix_derivatives("softplus", [&](const auto& th) { return dot(softplus(first_matrix(th, r, c)), W); }, r * c, 3.0);
  expect_matrix_derivatives("log_sigmoid", [&](const auto& th) { return dot(log_sigmoid(first_matrix(th, r, c)), W); }, r * c, 3.0);
  expect_matrix_derivatives("tanh", [&](const auto& th) { return dot(tanh(first_matrix(th, r, c)), W); }, r * c);
  expect_matrix_derivatives("square", [&](const auto& th) { return dot(square(first_matrix(th, r, c)), W); }, r * c);
  expect_matrix_derivatives("softmax_rows", [&](const auto& th) { return dot(softmax_rows(first_matrix(th, r, c + 1)), W1); }, r * (c + 1), 2.0);
  expect_matrix_derivatives("log_softmax_rows", [&](const auto& th) { return dot(log_softmax_rows(first_matrix(th, r, c + 1)), W1); }, r * (c + 1), 2.0);
  expect_matrix_derivatives("sum", [&](const auto& th) { return sum(square(first_matrix(th, r, c))); }, r * c);
  expect_matrix_derivatives("mean", [&](const auto& th) { return mean(square(first_matrix(th, r, c))); }, r * c);
  expect_matrix_derivatives("dot", [&](const auto& th) { return dot(first_matrix(th, r, c), second_matrix(th, r, c)); }, 2 * r * c);
  expect_matrix_derivatives("element", [&](const auto& th) { return element(exp(first_matrix(th, r, c)), 2, 1) * th[0]; }, r * c);
}

TEST_CASE("matrix: relu passes the gradient where positive only", "[matrix]") {
  tapegrad::ScopedTape tape;
  Eigen::MatrixXd v(1, 3);
  v << -1.0, 0.5, 2.0;
  MatVar a(v);
  tapegrad::Var s = sum(relu(a));
  CHECK(s.value() == Approx(2.5));
  tape.backward(s.index());
  CHECK(a.adjoint()(0, 0) == 0.0);
  CHECK(a.adjoint()(0, 1) == 1.0);
  CHECK(a.adjoint()(0, 2) == 1.0);
}

TEST_CASE("matrix: scalar and matrix nodes compose on one tape", "[matrix]") {
  // f = sigma^2 * sum(exp(X w)) + sigma: the matrix node reads a scalar Var and yields one.
  const Eigen::MatrixXd X = weights(5, 2);
  auto f = [&](const auto& th) {
    using std::exp;
    auto w = tapegrad::to_matrix(th, 0, 2, 1);
    auto sigma = exp(th[2]);
    using T = std::decay_t<decltype(th[0])>;
    T total = sum(scale(exp(matmul(X, w)), sigma * sigma)) + sigma;
    return total;
  };
  Eigen::VectorXd x(3);
  x << 0.1, -0.2, 0.3;
  const auto g = tapegrad::gradient(f, x);
  const double s = std::exp(0.3);
  const Eigen::ArrayXd e = (X * x.head(2)).array().exp();
  CHECK(g.value == Approx(s * s * e.sum() + s));
  CHECK(g.gradient[0] == Approx(s * s * (e * X.col(0).array()).sum()));
  CHECK(g.gradient[1] == Approx(s * s * (e * X.col(1).array()).sum()));
  CHECK(g.gradient[2] == Approx(2 * s * s * e.sum() + s));
}

TEST_CASE("matrix: softmax of logits of +-1000 is finite and exact", "[matrix]") {
  tapegrad::ScopedTape tape;
  Eigen::MatrixXd v(1, 3);
  v << 1000.0, -1000.0, 999.0;
  MatVar a(v);
  MatVar ls = log_softmax_rows(a);
  const double lse = 1000.0 + std::log1p(std::exp(-1.0));
  CHECK(ls.value()(0, 0) == Approx(1000.0 - lse));
  CHECK(ls.value()(0, 1) == Approx(-1000.0 - lse));
  tapegrad::Var y = element(ls, 0, 2);
  tape.backward(y.index());
  // d log_softmax_2 / d a = e_2 - softmax(a)
  const double p0 = 1 / (1 + std::exp(-1.0)), p2 = 1 - p0;
  CHECK(a.adjoint()(0, 0) == Approx(-p0));
  CHECK(a.adjoint()(0, 1) == 0.0);
  CHECK(a.adjoint()(0, 2) == Approx(1 - p2));
  CHECK(std::isfinite(softmax_rows(a).value().sum()));
}

TEST_CASE("matrix: shapes are checked", "[matrix]") {
  tapegrad::ScopedTape tape;
  MatVar a(Eigen::MatrixXd::Ones(2, 3)), b(Eigen::MatrixXd::Ones(3, 3));
  CHECK_THROWS_WITH(add(a, b), Catch::Contains("add") && Catch::Contains("2x3") && Catch::Contains("3x3"));
  CHECK_THROWS_WITH(matmul(a, a), Catch::Contains("inner dimensions"));
  CHECK_THROWS_AS(element(a, 2, 0), std::out_of_range);
  CHECK_THROWS_WITH(add_to_rows(a, b), Catch::Contains("1x3"));
  std::vector<tapegrad::Var> few{tapegrad::Var(1.0)};
  CHECK_THROWS_WITH(tapegrad::to_matrix(few, 0, 2, 1), Catch::Contains("exceeds"));
}

TEST_CASE("matrix: a regression over many rows is O(1) nodes with matrix-product backward", "[matrix]") {
  const Eigen::Index n = 20000, d = 4;
  const Eigen::MatrixXd X = Eigen::MatrixXd::Random(n, d);
  tapegrad::ScopedTape tape;
  std::vector<tapegrad::Var> th;
  for (int i = 0; i < d; ++i) th.emplace_back(0.1 * i);
  tapegrad::Var loss = mean(square(matmul(X, tapegrad::to_matrix(th, 0, d, 1))));
  CHECK(tape.n_matrix_nodes() == 4);  // to_matrix, matmul, square, mean
  CHECK(tape.n_statements() == static_cast<std::size_t>(d) + 1);
  tape.backward(loss.index());
  Eigen::VectorXd w(d);
  for (int i = 0; i < d; ++i) w[i] = 0.1 * i;
  const Eigen::VectorXd expected = 2.0 / n * X.transpose() * (X * w);
  for (int i = 0; i < d; ++i) CHECK(tape.adjoint(th[i].index()) == Approx(expected[i]).epsilon(1e-12));
}

TEST_CASE("matrix: re-recording matrix nodes allocates nothing", "[matrix]") {
  const Eigen::MatrixXd X = weights(50, 3);
  const Eigen::MatrixXd w0 = Eigen::MatrixXd::Constant(3, 1, 0.2);
  tapegrad::ScopedTape tape;
  auto record = [&] {
    tape.clear();
    MatVar w(w0);
    tapegrad::Var y = sum(softplus(matmul(X, w)));
    tape.backward(y.index());
    return w.adjoint()(0, 0);
  };
  const double first = record();
  const std::size_t before = tapegrad_test::allocation_count();
  CHECK(record() == first);
  CHECK(tapegrad_test::allocation_count() == before);
}
