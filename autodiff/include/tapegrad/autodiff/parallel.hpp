#pragma once
// Data-parallel sums. With IID data a log-likelihood is a sum over observations, so its value,
// gradient and Hessian are sums over contiguous shards of the observations. Each shard is
// recorded on its own thread's tape; the shard results are added in shard order, so a result
// is bitwise identical for a given shard count, whichever thread ran which shard.
//
//   // partial(theta, begin, end) = sum_{i in [begin, end)} log p(y_i | theta), generic in T
//   auto r = tapegrad::reduce_sum_gradient(partial, theta, n, /*shards=*/2);
#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "tapegrad/autodiff/drivers.hpp"

namespace tapegrad {

// Row range [begin, end) of one shard.
struct ShardRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// `shards` contiguous ranges covering 0..n-1, sizes differing by at most one (fewer when n is
// smaller than `shards`; at least one).
std::vector<ShardRange> shard_ranges(std::size_t n, std::size_t shards);

// Runs body(k) for k = 0..count-1 concurrently: k = 0 on the calling thread, the others on
// worker threads that are kept between calls (so their tapes keep their memory). Returns when
// every body has returned; if any threw, rethrows the exception of the lowest k. A call made
// while the workers are busy (from inside a body, or from another thread) runs serially on
// the calling thread, with the same results.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body);

// The number of hardware threads (at least 1).
std::size_t hardware_threads();

namespace detail {
inline void add_into(GradientResult& total, const GradientResult& part) {
  total.value += part.value;
  total.gradient += part.gradient;
}
inline void add_into(HessianResult& total, const HessianResult& part) {
  total.value += part.value;
  total.gradient += part.gradient;
  total.hessian += part.hessian;
}

// driver(f, x) on each shard's f(theta) = partial(theta, range_k), concurrently; the results
// added in shard order.
template <class Result, class Driver, class F>
Result reduce_over_shards(Driver driver, F& partial, const Eigen::VectorXd& x, std::size_t n, std::size_t shards) {
  const std::vector<ShardRange> ranges = shard_ranges(n, shards);
  std::vector<Result> parts(ranges.size());
  parallel_for(ranges.size(), [&](std::size_t k) {
    const ShardRange r = ranges[k];
    parts[k] = driver([&](const auto& th) { return partial(th, r.begin, r.end); }, x);
  });
  Result total = std::move(parts[0]);
  for (std::size_t k = 1; k < parts.size(); ++k) add_into(total, parts[k]);
  return total;
}
}  // namespace detail

// Value and gradient of sum_k partial(theta, range_k) over `shards` shards of 0..n-1.
template <class F>
GradientResult reduce_sum_gradient(F&& partial, const Eigen::VectorXd& x, std::size_t n, std::size_t shards) {
  const auto driver = [](const auto& f, const Eigen::VectorXd& at) { return gradient(f, at); };
  return detail::reduce_over_shards<GradientResult>(driver, partial, x, n, shards);
}

// Value, gradient and exact Hessian of the same sum (each shard: forward-over-reverse sweeps).
template <class F>
HessianResult reduce_sum_hessian(F&& partial, const Eigen::VectorXd& x, std::size_t n, std::size_t shards) {
  const auto driver = [](const auto& f, const Eigen::VectorXd& at) { return value_gradient_hessian(f, at); };
  return detail::reduce_over_shards<HessianResult>(driver, partial, x, n, shards);
}

}  // namespace tapegrad
