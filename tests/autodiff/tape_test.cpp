#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "alloc_counter.hpp"
#include "tapegrad/autodiff.hpp"

using tapegrad::Var;

namespace {
// A small likelihood-like computation: sum_i log1p(((y_i - a - b x_i) / s)^2).
template <class T>
T loop_loss(const std::vector<T>& th, int n) {
  using std::log1p;
  T total = 0;
  for (int i = 0; i < n; ++i) {
    const double x = 0.01 * i, y = std::sin(x);
    total += log1p(tapegrad::square((y - (th[0] + th[1] * x)) / th[2]));
  }
  return total;
}
}  // namespace

TEST_CASE("tape: one expression is one statement", "[tape]") {
  tapegrad::ScopedTape tape;
  Var a = 1.5, b = -2.0, c = 0.25;  // three inputs: three statements, no operands
  REQUIRE(tape.n_statements() == 3);
  Var z = (a * b + exp(c)) / (a - c);
  CHECK(tape.n_statements() == 4);
  CHECK(tape.n_operands() == 5);  // a, b, c, a, c
  CHECK(z.value() == Approx((1.5 * -2.0 + std::exp(0.25)) / (1.5 - 0.25)));
  tape.backward(z.index());
  const double den = 1.5 - 0.25, num = 1.5 * -2.0 + std::exp(0.25);
  CHECK(tape.adjoint(a.index()) == Approx(-2.0 / den - num / (den * den)));
  CHECK(tape.adjoint(b.index()) == Approx(1.5 / den));
  CHECK(tape.adjoint(c.index()) == Approx(std::exp(0.25) / den + num / (den * den)));
}

TEST_CASE("tape: constants fold into the partials", "[tape]") {
  tapegrad::ScopedTape tape;
  Var x = 3.0;
  Var y = 2.0 * x * x + 1.0 - x / 4.0;
  CHECK(tape.n_operands() == 3);  // x, x, x: no statement or operand for a constant
  tape.backward(y.index());
  CHECK(tape.adjoint(x.index()) == Approx(4.0 * 3.0 - 0.25));
}

TEST_CASE("tape: bytes per binary op are at most 40, adjoint included", "[tape]") {
  tapegrad::ScopedTape tape;
  Var x = 1.0, y = 2.0;
  const std::size_t before = tape.bytes_used();
  constexpr int kOps = 1000;
  for (int i = 0; i < kOps; ++i) x = x * y;
  const double per_op = static_cast<double>(tape.bytes_used() - before) / kOps;
  CHECK(per_op <= 40.0);
}

TEST_CASE("tape: clear keeps capacity, so a second recording allocates nothing", "[tape]") {
  tapegrad::ScopedTape tape;
  const std::vector<double> x0{0.3, -0.2, 1.7};
  auto record = [&] {
    tape.clear();
    std::vector<Var> th;
    th.reserve(3);  // the test's own vector: counted too, so keep it out of the loop below
    for (double v : x0) th.emplace_back(v);
    Var y = loop_loss(th, 5000);
    tape.backward(y.index());
    return tape.adjoint(th[0].index());
  };
  // First recording grows the tape; the vector of inputs allocates once per call.
  const double g1 = record();
  const std::size_t before = tapegrad_test::allocation_count();
  const double g2 = record();
  const std::size_t during = tapegrad_test::allocation_count() - before;
  CHECK(g1 == g2);
  CHECK(during == 1);  // the std::vector<Var> th inside record(); the tape itself: none
}

TEST_CASE("tape: repeated gradient calls reuse the driver's tape", "[tape]") {
  auto f = [](const auto& th) { return loop_loss(th, 2000); };
  Eigen::VectorXd x(3);
  x << 0.3, -0.2, 1.7;
  const auto first = tapegrad::gradient(f, x);
  const std::size_t before = tapegrad_test::allocation_count();
  const auto second = tapegrad::gradient(f, x);
  // The result vector and the inputs' vector; the tape grows no more.
  CHECK(tapegrad_test::allocation_count() - before <= 2);
  CHECK(first.gradient == second.gradient);
}

TEST_CASE("tape: a Var with no active tape is a clear error", "[tape]") {
  CHECK_THROWS_WITH(Var(1.0), Catch::Contains("no active tape"));
}

TEST_CASE("tape: independent tapes in two threads give correct gradients", "[tape][threads]") {
  auto f = [](const auto& th) { return loop_loss(th, 20000); };
  Eigen::VectorXd x1(3), x2(3);
  x1 << 0.3, -0.2, 1.7;
  x2 << -1.0, 0.5, 0.9;
  const auto expect1 = tapegrad::gradient(f, x1);
  const auto expect2 = tapegrad::gradient(f, x2);
  std::vector<Eigen::VectorXd> got(2);
  std::thread t1([&] {
    for (int rep = 0; rep < 5; ++rep) got[0] = tapegrad::gradient(f, x1).gradient;
  });
  std::thread t2([&] {
    for (int rep = 0; rep < 5; ++rep) {
      tapegrad::ScopedTape own;  // a tape of this thread's own, by hand
      std::vector<Var> th{Var(x2[0]), Var(x2[1]), Var(x2[2])};
      Var y = loop_loss(th, 20000);
      own.backward(y.index());
      got[1] = Eigen::Vector3d(own.adjoint(th[0].index()), own.adjoint(th[1].index()), own.adjoint(th[2].index()));
    }
  });
  t1.join();
  t2.join();
  CHECK(got[0] == expect1.gradient);
  CHECK(got[1] == expect2.gradient);
}

TEST_CASE("tape: nested driver calls use their own tape", "[tape]") {
  Eigen::VectorXd x(1);
  x << 2.0;
  auto inner = [](const auto& th) { return th[0] * th[0] * th[0]; };
  auto outer = [&](const auto& th) {
    // A gradient taken while the outer function is being recorded.
    const double slope = tapegrad::gradient(inner, Eigen::VectorXd::Constant(1, 3.0)).gradient[0];
    return slope * th[0];
  };
  CHECK(tapegrad::gradient(outer, x).gradient[0] == Approx(27.0));
}
