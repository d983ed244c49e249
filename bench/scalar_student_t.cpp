// Scalar user code: a Student-t regression log-likelihood written as a per-observation loop,
// N = 100,000. Gradient time / function time, for the tape and for a hand-written gradient,
// and the tape's memory per observation and per binary op.

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

#include "ratio_reporter.hpp"

namespace {

struct Data {
  std::vector<double> x, y;
};

const Data& data() {
  static const Data d = [] {
    Data out;
    std::mt19937_64 rng(2026);
    std::normal_distribution<double> z;
    std::student_t_distribution<double> noise(4.0);
    for (int i = 0; i < 100000; ++i) {
      const double x = z(rng);
      out.x.push_back(x);
      out.y.push_back(1.0 + 2.0 * x + 0.5 * noise(rng));
    }
    return out;
  }();
  return d;
}

// What a user writes: theta = (a, b, log sigma, log nu).
template <class T>
T student_t_loglik(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& a = theta[0];
  const T& b = theta[1];
  const T sigma = exp(theta[2]);
  const T nu = exp(theta[3]);
  const double n = static_cast<double>(d.x.size());
  T ll = n * (lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    ll -= (nu + 1) / 2 * log1p(tapegrad::square((d.y[i] - (a + b * d.x[i])) / sigma) / nu);
  }
  return ll;
}

// The same log-likelihood and its gradient, derived by hand, in one loop.
double student_t_handwritten(const std::vector<double>& theta, const Data& d, double* grad) {
  const double a = theta[0], b = theta[1], sigma = std::exp(theta[2]), nu = std::exp(theta[3]);
  const double n = static_cast<double>(d.x.size());
  const double s2nu = sigma * sigma * nu;
  double sum_log1p = 0, sum_q_ratio = 0, ga = 0, gb = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double r = d.y[i] - (a + b * d.x[i]);
    const double q = r * r / s2nu;
    const double w = (nu + 1) * r / (s2nu + r * r);  // d ll_i / d mu_i
    sum_log1p += std::log1p(q);
    sum_q_ratio += q / (1 + q);
    ga += w;
    gb += w * d.x[i];
  }
  const double half = (nu + 1) / 2;
  grad[0] = ga;
  grad[1] = gb;
  grad[2] = -n + (nu + 1) * sum_q_ratio;  // sigma * d/dsigma
  grad[3] = nu * (n * (0.5 * tapegrad::digamma(half) - 0.5 * tapegrad::digamma(nu / 2) - 0.5 / nu) -
                  0.5 * sum_log1p + half / nu * sum_q_ratio);  // nu * d/dnu
  return n * (std::lgamma(half) - std::lgamma(nu / 2) - 0.5 * std::log(nu * M_PI) - std::log(sigma)) - half * sum_log1p;
}

const std::vector<double> kTheta{0.8, 1.7, std::log(0.6), std::log(5.0)};

void BM_function(benchmark::State& state) {
  const Data& d = data();
  for (auto _ : state) benchmark::DoNotOptimize(student_t_loglik(kTheta, d));
}

void BM_tapegrad_gradient(benchmark::State& state) {
  const Data& d = data();
  const Eigen::VectorXd theta = Eigen::Map<const Eigen::VectorXd>(kTheta.data(), 4);
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  for (auto _ : state) benchmark::DoNotOptimize(tapegrad::gradient(f, theta).gradient[0]);
}

void BM_handwritten_gradient(benchmark::State& state) {
  const Data& d = data();
  double grad[4];
  for (auto _ : state) {
    benchmark::DoNotOptimize(student_t_handwritten(kTheta, d, grad));
    benchmark::DoNotOptimize(grad[0]);
  }
}

// A chain of binary ops x = x * y: recording plus reverse sweep, per op.
void BM_binary_op_chain(benchmark::State& state) {
  tapegrad::ScopedTape tape;
  constexpr int kOps = 1 << 16;
  for (auto _ : state) {
    tape.clear();
    tapegrad::Var x = 1.0, y = 1.0000001;
    for (int i = 0; i < kOps; ++i) x = x * y;
    tape.backward(x.index());
    benchmark::DoNotOptimize(tape.adjoint(y.index()));
  }
  state.SetItemsProcessed(state.iterations() * kOps);
}

BENCHMARK(BM_function)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_gradient)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_handwritten_gradient)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_binary_op_chain)->Unit(benchmark::kMicrosecond);

// Checks the tape against the hand-written gradient before timing; prints memory figures.
bool verify_and_print_memory() {
  const Data& d = data();
  const Eigen::VectorXd theta = Eigen::Map<const Eigen::VectorXd>(kTheta.data(), 4);
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  const auto tape_result = tapegrad::gradient(f, theta);
  double grad[4];
  const double value = student_t_handwritten(kTheta, d, grad);
  bool ok = std::abs(tape_result.value - value) <= 1e-8 * std::abs(value);
  for (int i = 0; i < 4; ++i) ok = ok && std::abs(tape_result.gradient[i] - grad[i]) <= 1e-8 * std::max(1.0, std::abs(grad[i]));
  std::printf("tape gradient vs hand-written (1e-8 relative): %s\n", ok ? "agree" : "DISAGREE");

  tapegrad::ScopedTape tape;
  std::vector<tapegrad::Var> th(kTheta.begin(), kTheta.end());
  const std::size_t before = tape.bytes_used();
  tapegrad::Var ll = student_t_loglik(th, d);
  const double n = static_cast<double>(d.x.size());
  std::printf("tape per observation: %.2f statements, %.2f operands, %.1f bytes (adjoints included)\n",
              static_cast<double>(tape.n_statements()) / n, static_cast<double>(tape.n_operands()) / n,
              static_cast<double>(tape.bytes_used() - before) / n);
  tape.clear();
  tapegrad::Var x = 1.0, y = 2.0;
  const std::size_t chain_before = tape.bytes_used();
  for (int i = 0; i < 1000; ++i) x = x * y;
  std::printf("bytes per recorded binary op (adjoint included): %.1f (target <= 40)\n\n",
              static_cast<double>(tape.bytes_used() - chain_before) / 1000);
  (void)ll;
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!verify_and_print_memory()) return 1;
  return tapegrad_bench::run_and_print_ratios(
      argc, argv,
      {{"Student-t N=100k: tapegrad gradient / function", "BM_tapegrad_gradient", "BM_function", 2.5},
       {"Student-t N=100k: hand-written gradient / function", "BM_handwritten_gradient", "BM_function", 0},
       {"Student-t N=100k: tapegrad gradient / hand-written gradient", "BM_tapegrad_gradient",
        "BM_handwritten_gradient", 0}});
}
