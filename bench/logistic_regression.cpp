// Matrix nodes: logistic regression mean negative log-likelihood and its gradient, engine
// (two nodes: matmul then bernoulli_logit_lpmf; and the fused GLM node) against a hand-written,
// numerically stable two-pass Eigen gradient and against one read of X, at (N, d) =
// (100,000, 100) and (1,000,000, 20).

#include <cstdint>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include <tapegrad/autodiff.hpp>

#include "ratio_reporter.hpp"

namespace {

struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  Eigen::VectorXd w;
};

const Problem& problem(Eigen::Index n, Eigen::Index d) {
  static std::map<std::pair<Eigen::Index, Eigen::Index>, Problem> cache;
  auto it = cache.find({n, d});
  if (it != cache.end()) return it->second;
  Problem p;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z;
  p.X.resize(n, d);
  for (Eigen::Index j = 0; j < d; ++j)
    for (Eigen::Index i = 0; i < n; ++i) p.X(i, j) = z(rng);
  p.w.resize(d);
  for (Eigen::Index j = 0; j < d; ++j) p.w[j] = z(rng) / std::sqrt(static_cast<double>(d));
  const Eigen::VectorXd eta = p.X * p.w;
  p.y.resize(n);
  std::uniform_real_distribution<double> u;
  for (Eigen::Index i = 0; i < n; ++i) p.y[i] = u(rng) < 1 / (1 + std::exp(-eta[i])) ? 1.0 : 0.0;
  return cache.emplace(std::make_pair(n, d), std::move(p)).first->second;
}

// Hand-written: eta = X w; loss = mean(softplus(eta) - y eta); grad = X^T (sigmoid(eta) - y) / N.
// Stable forms with t = exp(-|eta|), SIMD exp and log through Eigen arrays.
double handwritten(const Problem& p, Eigen::VectorXd& eta, Eigen::VectorXd& r, Eigen::VectorXd& grad) {
  const double n = static_cast<double>(p.y.size());
  eta.noalias() = p.X * p.w;
  const auto e = eta.array();
  const Eigen::ArrayXd t = (-e.abs()).exp();
  const double loss = (e.max(0.0) + (1.0 + t).log() - p.y.array() * e).sum() / n;
  r.array() = (e >= 0).select(1.0 / (1.0 + t), t / (1.0 + t)) - p.y.array();
  grad.noalias() = p.X.transpose() * r;
  grad /= n;
  return loss;
}

// The engine: the model as a user writes it with matrix nodes.
template <class Th>
auto mean_nll(const Th& th, const Problem& p) {
  const auto w = tapegrad::to_matrix(th, 0, p.X.cols(), 1);
  const auto ll = tapegrad::bernoulli_logit_lpmf(p.y, tapegrad::matmul(p.X, w));
  return -ll / static_cast<double>(p.y.size());
}

// The fused GLM node: x W + b and the Bernoulli terms in one pass over X (glm.hpp).
template <class Th>
auto mean_nll_glm(const Th& th, const Problem& p) {
  const auto w = tapegrad::to_matrix(th, 0, p.X.cols(), 1);
  return -tapegrad::bernoulli_logit_glm_lpmf(p.y, tapegrad::data_view(p.X), w) / static_cast<double>(p.y.size());
}

// The floor: one read of X (a vectorised sum of its elements), the memory traffic the fused
// node cannot go below. Its bytes per second is the machine's read bandwidth.
void BM_read_x(benchmark::State& state) {
  const Problem& p = problem(state.range(0), state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(p.X.sum());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * p.X.size() * 8);
}

void BM_handwritten(benchmark::State& state) {
  const Problem& p = problem(state.range(0), state.range(1));
  Eigen::VectorXd eta(p.y.size()), r(p.y.size()), grad(p.w.size());
  for (auto _ : state) benchmark::DoNotOptimize(handwritten(p, eta, r, grad));
}

void BM_tapegrad(benchmark::State& state) {
  const Problem& p = problem(state.range(0), state.range(1));
  auto f = [&](const auto& th) { return mean_nll(th, p); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.w).gradient[0]);
}

void BM_tapegrad_glm(benchmark::State& state) {
  const Problem& p = problem(state.range(0), state.range(1));
  auto f = [&](const auto& th) { return mean_nll_glm(th, p); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, p.w).gradient[0]);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * p.X.size() * 8);  // X's bytes
}

BENCHMARK(BM_read_x)->Args({100000, 100})->Args({1000000, 20})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_glm)->Args({100000, 100})->Args({1000000, 20})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_handwritten)->Args({100000, 100})->Args({1000000, 20})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad)->Args({100000, 100})->Args({1000000, 20})->Unit(benchmark::kMillisecond);

bool verify(Eigen::Index n, Eigen::Index d) {
  const Problem& p = problem(n, d);
  Eigen::VectorXd eta(n), r(n), grad(d);
  const double loss = handwritten(p, eta, r, grad);
  auto f = [&](const auto& th) { return mean_nll(th, p); };
  auto fused = [&](const auto& th) { return mean_nll_glm(th, p); };
  bool ok = true;
  for (const auto& g : {tapegrad::gradient(f, p.w), tapegrad::gradient(fused, p.w)}) {
    ok = ok && std::abs(g.value - loss) <= 1e-8 * std::abs(loss) &&
         (g.gradient - grad).norm() <= 1e-8 * std::max(1.0, grad.norm());
  }
  std::printf("(%ld, %ld): engine (two nodes and fused GLM) vs hand-written (1e-8 relative): %s\n", static_cast<long>(n), static_cast<long>(d),
              ok ? "agree" : "DISAGREE");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!verify(100000, 100) || !verify(1000000, 20)) return 1;
  return tapegrad_bench::run_and_print_ratios(
      argc, argv,
      {{"logistic (100k, 100): tapegrad / hand-written", "BM_tapegrad/100000/100",
        "BM_handwritten/100000/100", 1.2},
       {"logistic (1M, 20): tapegrad / hand-written", "BM_tapegrad/1000000/20",
        "BM_handwritten/1000000/20", 1.2},
       {"logistic (100k, 100): fused GLM / hand-written", "BM_tapegrad_glm/100000/100",
        "BM_handwritten/100000/100", 1.2},
       {"logistic (1M, 20): fused GLM / hand-written", "BM_tapegrad_glm/1000000/20",
        "BM_handwritten/1000000/20", 1.2},
       {"logistic (100k, 100): fused GLM / one read of X", "BM_tapegrad_glm/100000/100",
        "BM_read_x/100000/100", 1.5},
       {"logistic (1M, 20): fused GLM / one read of X", "BM_tapegrad_glm/1000000/20",
        "BM_read_x/1000000/20", 1.5}});
}
