// Example 2 (examples/iid_product_to_sum): the log of the product of IID densities is the sum of
// log-densities until the product underflows (to 0, while the sum stays finite); a mini-batch
// loss scaled by n/m, and its gradient, are unbiased estimates of the full ones.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "iid_product_to_sum/iid_product_to_sum.hpp"

namespace ex = examples::iid_product_to_sum;

TEST_CASE("iid_product_to_sum: log of the product equals the sum of logs while the product is normal", "[examples]") {
  const ex::Data d = ex::make_data();
  const Eigen::VectorXd theta = ex::evaluation_point();
  const ex::Underflow u = ex::find_underflow(theta, d);
  REQUIRE(u.first_subnormal > 100);
  REQUIRE(u.first_zero > u.first_subnormal);
  for (std::size_t n : {std::size_t{1}, std::size_t{10}, std::size_t{100}, u.first_subnormal - 1}) {
    const double product = ex::product_of_densities(theta, d, n);
    REQUIRE(product >= std::numeric_limits<double>::min());
    // n roundings of exp and of the running product: relative 1e-13 on the log is ample.
    CHECK(std::log(product) == Approx(ex::sum_of_log_densities(theta, d, n)).epsilon(1e-13));
  }
  // Past the underflow the product is exactly 0 (log = -inf); the sum is finite.
  CHECK(ex::product_of_densities(theta, d, u.first_zero) == 0.0);
  CHECK(ex::product_of_densities(theta, d, d.size()) == 0.0);
  const double sum = ex::sum_of_log_densities(theta, d, d.size());
  CHECK(std::isfinite(sum));
  CHECK(sum < std::log(std::numeric_limits<double>::denorm_min()));  // below what a double product can hold
  // The full loss is minus that sum, through the tape as well.
  CHECK(ex::full_loss_gradient(theta, d).value == Approx(-sum).epsilon(1e-13));
}

TEST_CASE("iid_product_to_sum: batches that partition the data average to the full loss and gradient exactly",
          "[examples]") {
  // Every observation in exactly one of n/m batches: the mean of the (n/m)-scaled batch sums is
  // the full sum, which is what unbiasedness means averaged over a uniformly random partition.
  const ex::Data d = ex::make_data();
  const Eigen::VectorXd theta = ex::evaluation_point();
  const std::size_t m = 40, batches = d.size() / m;
  std::vector<std::size_t> order(d.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(5);
  std::shuffle(order.begin(), order.end(), rng);
  double loss = 0;
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(3);
  for (std::size_t k = 0; k < batches; ++k) {
    const std::vector<std::size_t> batch(order.begin() + static_cast<std::ptrdiff_t>(k * m),
                                         order.begin() + static_cast<std::ptrdiff_t>((k + 1) * m));
    const auto r = tapegrad::gradient([&](const auto& th) { return ex::batch_loss(th, d, batch); }, theta);
    loss += r.value / static_cast<double>(batches);
    grad += r.gradient / static_cast<double>(batches);
  }
  const tapegrad::GradientResult full = ex::full_loss_gradient(theta, d);
  CHECK(loss == Approx(full.value).epsilon(1e-12));
  for (Eigen::Index j = 0; j < 3; ++j) CHECK(grad[j] == Approx(full.gradient[j]).epsilon(1e-11));
}

TEST_CASE("iid_product_to_sum: random mini-batches are unbiased, with the spread sampling theory predicts",
          "[examples]") {
  const ex::Data d = ex::make_data();
  const Eigen::VectorXd theta = ex::evaluation_point();
  const std::size_t m = 32;
  const ex::MinibatchStudy s = ex::run_minibatches(theta, d, m, 4000, 99);
  const tapegrad::GradientResult full = ex::full_loss_gradient(theta, d);
  // Seeded, so deterministic; an unbiased estimator puts the mean of 4000 batches within 4
  // standard errors of the truth (a biased one of even 1% of the loss, 36, would be ~35 se away).
  const ex::MeanSe loss = ex::mean_se(s.loss);
  CHECK(std::abs(loss.mean - full.value) < 4 * loss.se);
  for (Eigen::Index j = 0; j < 3; ++j) {
    const ex::MeanSe g = ex::mean_se(ex::component(s.grad, j));
    CHECK(std::abs(g.mean - full.gradient[j]) < 4 * g.se);
  }
  // The spread of one batch estimate matches n sqrt((1 - m/n) S^2 / m) to 5% (4000 draws: the
  // sample sd is within about 1.1% of the truth per standard error).
  const double sd_sample = loss.se * std::sqrt(4000.0);
  CHECK(sd_sample == Approx(ex::batch_sd_theory(ex::point_losses(theta, d), m)).epsilon(0.05));
}
