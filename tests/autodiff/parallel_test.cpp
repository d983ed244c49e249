// Data-parallel sums: shard ranges, the worker pool, and reduce_sum_gradient / _hessian equal to
// the single-piece result (to rounding) and bitwise repeatable for a given shard count.
#include <catch2/catch.hpp>
#include <atomic>
#include <cmath>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tapegrad/autodiff.hpp"
#include "tapegrad/autodiff/parallel.hpp"

namespace {

struct Regression {
  std::vector<double> x, y;
};

Regression make_regression(std::size_t n) {
  std::mt19937_64 rng(17);
  std::normal_distribution<double> unit(0.0, 1.0);
  Regression d;
  for (std::size_t i = 0; i < n; ++i) {
    d.x.push_back(unit(rng));
    d.y.push_back(0.5 - 1.5 * d.x.back() + 0.7 * unit(rng));
  }
  return d;
}

// sum over [begin, end) of a Student-t (nu = 5) log-density, up to constants; theta = (a, b, log sigma).
template <class T>
T partial_loglik(const std::vector<T>& th, const Regression& d, std::size_t begin, std::size_t end) {
  using std::exp;
  using std::log1p;
  T ll = 0;
  for (std::size_t i = begin; i < end; ++i)
    ll -= th[2] + 3.0 * log1p(tapegrad::square((d.y[i] - (th[0] + th[1] * d.x[i])) * exp(-th[2])) / 5.0);
  return ll;
}

}  // namespace

TEST_CASE("shard_ranges covers 0..n-1 with contiguous ranges differing in size by at most one", "[parallel]") {
  for (std::size_t n : {0u, 1u, 5u, 100u, 1001u}) {
    for (std::size_t k : {1u, 2u, 3u, 7u}) {
      const auto ranges = tapegrad::shard_ranges(n, k);
      REQUIRE(!ranges.empty());
      CHECK(ranges.size() <= std::max<std::size_t>(1, std::min(n, k)));
      CHECK(ranges.front().begin == 0);
      CHECK(ranges.back().end == n);
      std::size_t smallest = n, largest = 0;
      for (std::size_t r = 0; r < ranges.size(); ++r) {
        if (r > 0) CHECK(ranges[r].begin == ranges[r - 1].end);
        smallest = std::min(smallest, ranges[r].end - ranges[r].begin);
        largest = std::max(largest, ranges[r].end - ranges[r].begin);
      }
      CHECK(largest - smallest <= 1);
    }
  }
}

TEST_CASE("parallel_for runs every body once, on more than one thread, and rethrows the lowest failure", "[parallel]") {
  std::vector<std::atomic<int>> runs(4);
  std::vector<std::thread::id> ids(4);
  tapegrad::parallel_for(4, [&](std::size_t k) {
    ++runs[k];
    ids[k] = std::this_thread::get_id();
  });
  for (auto& r : runs) CHECK(r == 1);
  CHECK(ids[0] == std::this_thread::get_id());  // shard 0 on the caller
  CHECK(ids[1] != ids[0]);

  try {
    tapegrad::parallel_for(3, [](std::size_t k) {
      if (k >= 1) throw std::runtime_error("shard " + std::to_string(k) + " failed");
    });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "shard 1 failed");
  }
  // The pool is usable again after a failure, and a nested call runs serially instead of waiting.
  std::atomic<int> inner{0};
  tapegrad::parallel_for(2, [&](std::size_t) { tapegrad::parallel_for(3, [&](std::size_t) { ++inner; }); });
  CHECK(inner == 6);
}

TEST_CASE("reduce_sum_gradient equals the one-piece gradient and repeats bitwise", "[parallel]") {
  const Regression d = make_regression(3001);
  const Eigen::Vector3d theta(0.2, -1.0, std::log(0.9));
  auto partial = [&](const auto& th, std::size_t b, std::size_t e) { return partial_loglik(th, d, b, e); };
  const tapegrad::GradientResult one = tapegrad::gradient([&](const auto& th) { return partial(th, 0, 3001); }, theta);
  for (std::size_t shards : {1u, 2u, 3u, 8u}) {
    INFO("shards " << shards);
    const tapegrad::GradientResult r = tapegrad::reduce_sum_gradient(partial, theta, 3001, shards);
    // Different summation order only: relative 1e-12.
    CHECK(std::abs(r.value - one.value) <= 1e-12 * std::abs(one.value));
    CHECK((r.gradient - one.gradient).cwiseAbs().maxCoeff() <= 1e-12 * one.gradient.cwiseAbs().maxCoeff());
    const tapegrad::GradientResult again = tapegrad::reduce_sum_gradient(partial, theta, 3001, shards);
    CHECK(again.value == r.value);
    CHECK(again.gradient == r.gradient);
  }
  const tapegrad::HessianResult h1 =
      tapegrad::value_gradient_hessian([&](const auto& th) { return partial(th, 0, 3001); }, theta);
  const tapegrad::HessianResult h3 = tapegrad::reduce_sum_hessian(partial, theta, 3001, 3);
  CHECK((h3.hessian - h1.hessian).cwiseAbs().maxCoeff() <= 1e-12 * h1.hessian.cwiseAbs().maxCoeff());
  CHECK(tapegrad::reduce_sum_hessian(partial, theta, 3001, 3).hessian == h3.hessian);
}

TEST_CASE("a shard that fails stops the whole sum with its message, without hanging", "[parallel]") {
  const Regression d = make_regression(1000);
  auto partial = [&](const auto& th, std::size_t b, std::size_t e) {
    if (b <= 700 && 700 < e) throw std::domain_error("row 701: y is not finite");
    return partial_loglik(th, d, b, e);
  };
  const Eigen::Vector3d theta(0, 0, 0);
  CHECK_THROWS_WITH(tapegrad::reduce_sum_gradient(partial, theta, 1000, 2), "row 701: y is not finite");
  CHECK_THROWS_WITH(tapegrad::reduce_sum_hessian(partial, theta, 1000, 4), "row 701: y is not finite");
  // and the next sum runs normally
  auto fine = [&](const auto& th, std::size_t b, std::size_t e) { return partial_loglik(th, d, b, e); };
  CHECK(std::isfinite(tapegrad::reduce_sum_gradient(fine, theta, 1000, 2).value));
}
