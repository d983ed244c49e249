// Linear regression (Gaussian likelihood, sigma learned as log sigma) mean negative
// log-likelihood and its gradient at (N, d) = (1,000,000, 20): the fused GLM node
// (normal_id_glm_lpdf) against the two-node form (matmul, then normal_lpdf), a hand-written
// gradient (two passes over X) and one read of X. Then the exact Hessian: the one-pass
// normal_id_glm_derivatives against hessian()'s p forward-over-reverse sweeps.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>

#include <tapegrad/autodiff.hpp>

#include "ratio_reporter.hpp"

namespace {

constexpr Eigen::Index kN = 1000000, kD = 20;

struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  Eigen::VectorXd theta;  // w, then log sigma
};

const Problem& problem() {
  static const Problem p = [] {
    Problem out;
    std::mt19937_64 rng(9);
    std::normal_distribution<double> z;
    out.X.resize(kN, kD);
    for (Eigen::Index j = 0; j < kD; ++j)
      for (Eigen::Index i = 0; i < kN; ++i) out.X(i, j) = z(rng);
    Eigen::VectorXd w(kD);
    for (Eigen::Index j = 0; j < kD; ++j) w[j] = z(rng);
    out.y = out.X * w;
    for (Eigen::Index i = 0; i < kN; ++i) out.y[i] += 0.5 * z(rng);
    out.theta = Eigen::VectorXd::Constant(kD + 1, 0.1);  // away from the MLE: no zero gradient entry
    return out;
  }();
  return p;
}

// Hand-written: r = y - X w; loss = log sigma + log sqrt(2 pi) + mean(r^2) / (2 sigma^2);
// d/dw = -X^T r / (N sigma^2); d/dlog sigma = 1 - mean(r^2) / sigma^2.
double handwritten(const Problem& p, Eigen::VectorXd& r, Eigen::VectorXd& grad) {
  const double n = static_cast<double>(kN), s = std::exp(p.theta[kD]), inv_s2 = 1 / (s * s);
  r.noalias() = p.y - p.X * p.theta.head(kD);
  const double mean_r2 = r.squaredNorm() / n;
  grad.head(kD).noalias() = p.X.transpose() * r;
  grad.head(kD) *= -inv_s2 / n;
  grad[kD] = 1 - mean_r2 * inv_s2;
  return p.theta[kD] + 0.91893853320467274178 + 0.5 * mean_r2 * inv_s2;
}

template <class Th>
auto mean_nll(const Th& th, const Problem& p) {  // two nodes, as a user composes them
  const auto w = tapegrad::to_matrix(th, 0, kD, 1);
  return -tapegrad::normal_lpdf(p.y, tapegrad::matmul(p.X, w), exp(th[kD])) / static_cast<double>(kN);
}

template <class Th>
auto mean_nll_glm(const Th& th, const Problem& p) {  // the fused GLM node
  const auto w = tapegrad::to_matrix(th, 0, kD, 1);
  return -tapegrad::normal_id_glm_lpdf(p.y, tapegrad::data_view(p.X), w, exp(th[kD])) / static_cast<double>(kN);
}

void BM_read_x(benchmark::State& state) {
  const Problem& p = problem();
  for (auto _ : state) benchmark::DoNotOptimize(p.X.sum());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * p.X.size() * 8);
}

void BM_handwritten(benchmark::State& state) {
  const Problem& p = problem();
  Eigen::VectorXd r(kN), grad(kD + 1);
  for (auto _ : state) benchmark::DoNotOptimize(handwritten(p, r, grad));
}

void BM_tapegrad(benchmark::State& state) {
  const Problem& p = problem();
  auto f = [&](const auto& th) { return mean_nll(th, p); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.theta).gradient[0]);
}

void BM_tapegrad_glm(benchmark::State& state) {
  const Problem& p = problem();
  auto f = [&](const auto& th) { return mean_nll_glm(th, p); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.theta).gradient[0]);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * p.X.size() * 8);
}

void BM_hessian_sweeps(benchmark::State& state) {
  const Problem& p = problem();
  auto f = [&](const auto& th) { return mean_nll_glm(th, p); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::hessian(f, p.theta)(0, 0));
}

void BM_hessian_one_pass(benchmark::State& state) {
  const Problem& p = problem();
  for (auto _ : state) {
    const tapegrad::GlmDerivatives d = tapegrad::normal_id_glm_derivatives(
        p.y, tapegrad::data_view(p.X), p.theta.head(kD), Eigen::RowVectorXd(), std::exp(p.theta[kD]), true);
    benchmark::DoNotOptimize(d.hessian(0, 0));
  }
}

BENCHMARK(BM_read_x)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_handwritten)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_glm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hessian_sweeps)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hessian_one_pass)->Unit(benchmark::kMillisecond);

// Both engine forms against the hand-written gradient, and the one-pass Hessian against the
// sweeps (which differ from it by rounding only), before anything is timed.
bool verify() {
  const Problem& p = problem();
  Eigen::VectorXd r(kN), grad(kD + 1);
  const double loss = handwritten(p, r, grad);
  auto f = [&](const auto& th) { return mean_nll(th, p); };
  auto fused = [&](const auto& th) { return mean_nll_glm(th, p); };
  bool ok = true;
  for (const auto& g : {tapegrad::gradient(f, p.theta), tapegrad::gradient(fused, p.theta)}) {
    ok = ok && std::abs(g.value - loss) <= 1e-8 * std::abs(loss) && (g.gradient - grad).norm() <= 1e-8 * grad.norm();
  }
  const Eigen::MatrixXd sweeps = tapegrad::hessian(fused, p.theta);
  const tapegrad::GlmDerivatives d = tapegrad::normal_id_glm_derivatives(
      p.y, tapegrad::data_view(p.X), p.theta.head(kD), Eigen::RowVectorXd(), std::exp(p.theta[kD]), true);
  const Eigen::MatrixXd one_pass = -d.hessian / static_cast<double>(kN);
  ok = ok && (one_pass - sweeps).norm() <= 1e-8 * sweeps.norm();
  std::printf("(1M, 20): two nodes, fused GLM vs hand-written gradient, one-pass vs swept Hessian (1e-8 relative): %s\n",
              ok ? "agree" : "DISAGREE");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!verify()) return 1;
  return tapegrad_bench::run_and_print_ratios(
      argc, argv,
      {{"linear (1M, 20): tapegrad / hand-written", "BM_tapegrad", "BM_handwritten", 1.2},
       {"linear (1M, 20): fused GLM / hand-written", "BM_tapegrad_glm", "BM_handwritten", 1.2},
       {"linear (1M, 20): fused GLM / one read of X", "BM_tapegrad_glm", "BM_read_x", 1.5},
       {"linear (1M, 20): one-pass Hessian / 21 sweeps", "BM_hessian_one_pass", "BM_hessian_sweeps", 0}});
}
