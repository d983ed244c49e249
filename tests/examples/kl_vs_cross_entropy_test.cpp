// Example 3 (examples/kl_vs_cross_entropy): KL(p || softmax(z)) and H(p, softmax(z)) have equal
// gradients in z, both softmax(z) - p; they differ by H(p); KL is not symmetric; logits of
// +-1000 stay finite. Expected values are written out here from their closed forms.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "kl_vs_cross_entropy/kl_vs_cross_entropy.hpp"

namespace ex = examples::kl_vs_cross_entropy;

namespace {

const std::vector<double> p = {0.50, 0.25, 0.15, 0.10};

// -sum p log p, by hand.
double entropy_by_hand() {
  return -(0.50 * std::log(0.50) + 0.25 * std::log(0.25) + 0.15 * std::log(0.15) + 0.10 * std::log(0.10));
}

// softmax(z) - p with the plain formula (safe for the moderate z used here).
std::vector<double> softmax_minus_p(const std::vector<double>& z) {
  double s = 0;
  for (double zk : z) s += std::exp(zk);
  std::vector<double> g;
  for (std::size_t k = 0; k < z.size(); ++k) g.push_back(std::exp(z[k]) / s - p[k]);
  return g;
}

std::vector<std::vector<double>> test_logits() {
  std::mt19937_64 rng(123);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::vector<std::vector<double>> zs(8, std::vector<double>(4));
  for (auto& z : zs)
    for (double& zk : z) zk = normal(rng);
  return zs;
}

}  // namespace

TEST_CASE("kl_vs_cross_entropy: the example's p_data is the documented distribution", "[examples]") {
  REQUIRE(ex::p_data() == p);
  CHECK(ex::entropy(p) == Approx(entropy_by_hand()).epsilon(1e-14));
}

TEST_CASE("kl_vs_cross_entropy: gradients of KL and cross-entropy are equal and both softmax(z) - p", "[examples]") {
  for (const auto& z : test_logits()) {
    const ex::LossesAt l = ex::losses_at(p, z);
    const std::vector<double> expected = softmax_minus_p(z);
    for (std::size_t k = 0; k < 4; ++k) {
      const auto i = static_cast<Eigen::Index>(k);
      // Same tape ops up to the constant sum p log p: equal to rounding (absolute 1e-15).
      CHECK(l.grad_kl[i] == Approx(l.grad_cross_entropy[i]).margin(1e-15).epsilon(0));
      // Closed form softmax(z) - p, absolute 1e-14.
      CHECK(l.grad_cross_entropy[i] == Approx(expected[k]).margin(1e-14).epsilon(0));
      CHECK(l.grad_kl[i] == Approx(expected[k]).margin(1e-14).epsilon(0));
    }
  }
}

TEST_CASE("kl_vs_cross_entropy: H(p, q) - KL(p || q) = H(p) at every z", "[examples]") {
  const double h = entropy_by_hand();
  for (const auto& z : test_logits()) {
    const ex::LossesAt l = ex::losses_at(p, z);
    CHECK(l.cross_entropy - l.kl == Approx(h).margin(1e-12).epsilon(0));
    // The double path gives the same values as the engine's recording.
    CHECK(ex::cross_entropy(p, z) == Approx(l.cross_entropy).epsilon(1e-14));
    CHECK(ex::kl_divergence(p, z) == Approx(l.kl).epsilon(1e-14));
    CHECK(l.kl >= 0);  // Gibbs' inequality
  }
}

TEST_CASE("kl_vs_cross_entropy: KL is not symmetric", "[examples]") {
  const std::vector<double> q = {0.10, 0.20, 0.30, 0.40};
  // By hand: sum p log(p/q) and sum q log(q/p).
  const double kl_pq = 0.50 * std::log(5.0) + 0.25 * std::log(1.25) + 0.15 * std::log(0.5) + 0.10 * std::log(0.25);
  const double kl_qp = 0.10 * std::log(0.2) + 0.20 * std::log(0.8) + 0.30 * std::log(2.0) + 0.40 * std::log(4.0);
  CHECK(ex::kl_probabilities(p, q) == Approx(kl_pq).epsilon(1e-14));
  CHECK(ex::kl_probabilities(q, p) == Approx(kl_qp).epsilon(1e-14));
  CHECK(std::abs(kl_pq - kl_qp) > 0.05);  // 0.6179 against 0.5569
  CHECK(ex::kl_probabilities(p, p) == 0.0);
}

TEST_CASE("kl_vs_cross_entropy: logits of +-1000 give finite values and exact gradients", "[examples]") {
  const std::vector<double> z = {1000, -1000, 0, 500};
  // log_sum_exp(z) = 1000 + log(1 + e^-2000 + e^-1000 + e^-500) = 1000 in double, so
  // H = -sum p_k (z_k - 1000) = 0.25*2000 + 0.15*1000 + 0.10*500 = 700, softmax(z) = e_1.
  CHECK_FALSE(std::isfinite(ex::naive_cross_entropy(p, z)));  // exp(1000) overflows
  const ex::LossesAt l = ex::losses_at(p, z);
  CHECK(l.cross_entropy == Approx(700.0).epsilon(1e-15));
  CHECK(l.kl == Approx(700.0 - entropy_by_hand()).epsilon(1e-15));
  const double expected[] = {1 - 0.50, -0.25, -0.15, -0.10};
  for (Eigen::Index k = 0; k < 4; ++k) {
    CHECK(l.grad_cross_entropy[k] == Approx(expected[k]).margin(1e-15).epsilon(0));
    CHECK(l.grad_kl[k] == Approx(expected[k]).margin(1e-15).epsilon(0));
  }
}
