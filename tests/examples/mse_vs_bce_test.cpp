// Example 6 (examples/mse_vs_bce): squared error on a sigmoid output has gradient
// -(y - y_hat) y_hat (1 - y_hat) x, which vanishes when the sigmoid saturates; binary
// cross-entropy has -(y - y_hat) x, which does not. The claims of the example's README,
// asserted on the example's own code (mse_vs_bce.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "mse_vs_bce/mse_vs_bce.hpp"

namespace ex = examples::mse_vs_bce;

TEST_CASE("mse_vs_bce: the engine's gradients equal the closed forms", "[examples]") {
  std::mt19937_64 rng(2024);
  // |z| = |w x + b| <= 6 keeps 1 - y_hat >= 2.5e-3, so computing the closed form's 1 - y_hat
  // by subtraction costs at most ~1e-13 relative: inside the 1e-12 asked for.
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  for (int i = 0; i < 500; ++i) {
    const double w = u(rng), b = u(rng), x = u(rng), y = (rng() & 1) ? 1.0 : 0.0;
    const double y_hat = 1 / (1 + std::exp(-(w * x + b)));
    Eigen::VectorXd theta(2);
    theta << w, b;
    CAPTURE(w, b, x, y);

    const auto mse = tapegrad::gradient([&](const auto& th) { return ex::loss_at(ex::Loss::squared_error, th, x, y); }, theta);
    const double mse_dz = -(y - y_hat) * y_hat * (1 - y_hat);  // dL/dz; dL/dw = x dL/dz, dL/db = dL/dz
    CHECK(mse.value == Approx((y - y_hat) * (y - y_hat) / 2).epsilon(1e-12));
    CHECK(mse.gradient[0] == Approx(mse_dz * x).epsilon(1e-12));
    CHECK(mse.gradient[1] == Approx(mse_dz).epsilon(1e-12));

    const auto bce = tapegrad::gradient([&](const auto& th) { return ex::loss_at(ex::Loss::cross_entropy, th, x, y); }, theta);
    const double bce_dz = -(y - y_hat);
    CHECK(bce.value == Approx(-(y * std::log(y_hat) + (1 - y) * std::log(1 - y_hat))).epsilon(1e-12));
    CHECK(bce.gradient[0] == Approx(bce_dz * x).epsilon(1e-12));
    CHECK(bce.gradient[1] == Approx(bce_dz).epsilon(1e-12));

    // The same template with T = double gives the recorded value.
    CHECK(ex::loss_at(ex::Loss::cross_entropy, std::vector<double>{w, b}, x, y) == Approx(bce.value).epsilon(1e-15));
  }
}

TEST_CASE("mse_vs_bce: |dL/dz| for y = 1 vanishes for MSE as z -> -inf and tends to 1 for BCE", "[examples]") {
  // The table the example prints: |dL/dz| = y_hat (1 - y_hat)^2 (MSE) and 1 - y_hat (BCE).
  const double mse_at_minus_10 = std::abs(ex::loss_slope(ex::Loss::squared_error, -10, 1));
  CHECK(mse_at_minus_10 == Approx(4.5395e-5).epsilon(1e-4));
  CHECK(std::abs(ex::loss_slope(ex::Loss::cross_entropy, -10, 1)) == Approx(1 - 4.5398e-5).epsilon(1e-8));
  CHECK(std::abs(ex::loss_slope(ex::Loss::squared_error, 0, 1)) == Approx(0.125));
  CHECK(std::abs(ex::loss_slope(ex::Loss::cross_entropy, 0, 1)) == Approx(0.5));
  CHECK(std::abs(ex::loss_slope(ex::Loss::squared_error, -30, 1)) < 1e-12);
  CHECK(std::abs(ex::loss_slope(ex::Loss::cross_entropy, -30, 1)) == Approx(1.0).epsilon(1e-12));

  // On the wrong side the more wrong the prediction, the weaker MSE's push and the stronger
  // BCE's; MSE's is never above its maximum 4/27 (at y_hat = 1/3).
  double previous_mse = 0, previous_bce = 2;
  for (double z = -10; z <= -1; z += 0.25) {
    const double mse = std::abs(ex::loss_slope(ex::Loss::squared_error, z, 1));
    const double bce = std::abs(ex::loss_slope(ex::Loss::cross_entropy, z, 1));
    CHECK(mse > previous_mse);
    CHECK(bce < previous_bce);
    CHECK(mse <= 4.0 / 27);
    CHECK(bce > 0.7);
    previous_mse = mse;
    previous_bce = bce;
  }
}

TEST_CASE("mse_vs_bce: cross-entropy through the logit is finite at z = -1000", "[examples]") {
  // The naive form overflows: sigmoid(-1000) underflows to 0 and -log(0) = inf.
  CHECK(std::isinf(-std::log(1 / (1 + std::exp(1000.0)))));
  // The stable form: -log sigmoid(z) = softplus(-z) = 1000 (to rounding), slope -(1 - y_hat) = -1.
  CHECK(ex::cross_entropy(-1000.0, 1) == 1000.0);
  CHECK(ex::loss_slope(ex::Loss::cross_entropy, -1000.0, 1) == -1.0);
  Eigen::VectorXd z(1);
  z << -1000.0;
  const auto r = tapegrad::gradient([](const auto& th) { return ex::cross_entropy(th[0], 1.0); }, z);
  CHECK(r.value == 1000.0);
  CHECK(r.gradient[0] == -1.0);
  // The mirror case, y = 0 at z = +1000, and a whole data set at a wildly wrong theta.
  CHECK(ex::cross_entropy(1000.0, 0) == 1000.0);
  CHECK(ex::loss_slope(ex::Loss::cross_entropy, 1000.0, 0) == 1.0);
  const ex::Data d = ex::make_data(20, 3);
  const auto far = tapegrad::gradient([&](const auto& th) { return ex::mean_loss(th, d, ex::Loss::cross_entropy); },
                                      Eigen::Vector2d(-500.0, 0.0));
  CHECK(std::isfinite(far.value));
  CHECK(far.value > 100);
  CHECK(far.gradient.allFinite());
  // Squared error stays finite there too, but its slope is exactly 0: no signal at all.
  CHECK(ex::squared_error(-1000.0, 1) == 0.5);
  CHECK(ex::loss_slope(ex::Loss::squared_error, -1000.0, 1) == 0.0);
}

TEST_CASE("mse_vs_bce: from a saturated start BCE fits and MSE stalls", "[examples]") {
  const ex::Setup setup;
  const ex::Data data = ex::make_data(setup.n, setup.seed);

  // The start is confidently wrong: positives' z around -8, nearly every point misclassified.
  double z_positives = 0;
  for (std::size_t i = 0; i < data.x.size(); ++i)
    if (data.y[i] == 1) z_positives += setup.start[0] * data.x[i] + setup.start[1];
  z_positives /= setup.n / 2.0;
  CHECK(z_positives < -7);
  CHECK(ex::accuracy(setup.start, data) < 0.05);

  const ex::Trace bce = ex::gradient_descent(ex::Loss::cross_entropy, data, setup.start, setup.learning_rate, setup.steps);
  const ex::Trace mse = ex::gradient_descent(ex::Loss::squared_error, data, setup.start, setup.learning_rate, setup.steps);
  REQUIRE(bce.loss.size() == static_cast<std::size_t>(setup.steps) + 1);
  REQUIRE(mse.loss.size() == bce.loss.size());
  CAPTURE(bce.loss.front(), bce.loss.back(), bce.accuracy.back(), mse.loss.front(), mse.loss.back(), mse.accuracy.back());

  // Tolerances (the example's numbers: BCE 7.79 -> 0.077, accuracy 0.965; MSE 0.472 -> 0.470):
  // BCE's loss falls by at least 50x and it classifies >= 95% right ...
  CHECK(bce.loss.back() < bce.loss.front() / 50);
  CHECK(bce.accuracy.back() >= 0.95);
  // ... while MSE's loss moves by less than 2% and its predictions stay wrong.
  CHECK(std::abs(mse.loss.back() - mse.loss.front()) < 0.02 * mse.loss.front());
  CHECK(mse.accuracy.back() < 0.05);
}
