#include "registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace peers {

namespace {
std::vector<std::function<void()>>& setups() {
  static std::vector<std::function<void()>> s;
  return s;
}
std::vector<std::pair<std::string, std::function<void()>>>& checks() {
  static std::vector<std::pair<std::string, std::function<void()>>> c;
  return c;
}
}  // namespace

void add_setup(std::function<void()> setup) { setups().push_back(std::move(setup)); }

void add_check(const std::string& name, std::function<void()> check) {
  checks().emplace_back(name, std::move(check));
}

benchmark::internal::Benchmark* add_benchmark(const std::string& workload, const std::string& implementation,
                                              std::function<void(benchmark::State&)> body, int iterations) {
  const std::string name = workload + "/" + implementation;
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [body](benchmark::State& state) { body(state); });
  b->Unit(benchmark::kMillisecond);
  if (iterations > 0) b->Iterations(iterations);
  return b;
}

void expect_close(const std::string& what, const Eigen::MatrixXd& got, const Eigen::MatrixXd& want, double tol) {
  if (got.rows() != want.rows() || got.cols() != want.cols()) {
    std::fprintf(stderr, "\nMISMATCH %s: shape %ldx%ld, expected %ldx%ld. Nothing is timed.\n", what.c_str(),
                 static_cast<long>(got.rows()), static_cast<long>(got.cols()), static_cast<long>(want.rows()),
                 static_cast<long>(want.cols()));
    std::abort();
  }
  const double rel = (got - want).norm() / std::max(want.norm(), 1e-300);
  const bool ok = rel <= tol;  // also false for NaN
  std::printf("  %-58s relative difference %.1e  %s\n", what.c_str(), rel, ok ? "ok" : "MISMATCH");
  if (!ok) {
    std::fprintf(stderr, "\nMISMATCH %s: relative difference %.3e exceeds %.0e against the hand-written "
                 "reference. Nothing is timed.\n", what.c_str(), rel, tol);
    std::abort();
  }
}

void expect_close(const std::string& what, double got, double want, double tol) {
  expect_close(what, Eigen::MatrixXd::Constant(1, 1, got), Eigen::MatrixXd::Constant(1, 1, want), tol);
}

void run_setups() {
  for (auto& s : setups()) s();
}

void run_checks() {
  auto& c = checks();
  std::sort(c.begin(), c.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::printf("Checks against the hand-written derivatives (relative, Frobenius norm), before any timing:\n");
  for (auto& [name, check] : c) check();
  std::printf("\n");
}

}  // namespace peers
