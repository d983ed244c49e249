// Scalar user code: a Student-t regression log-likelihood written as a per-observation loop,
// generic in its scalar type, N = 100,000 (seeded). Four parameters, all learned:
// theta = (a, b, log sigma, nu).
//
// Timed: the plain double function; tapegrad's value + gradient (tapegrad::gradient, whose tape
// is reused from one call to the next: clear, record, backward); a hand-written value + gradient
// in one loop; the gradient's recording and reverse sweep apart; and a chain of binary ops
// (recording + reverse sweep). The program checks the tape against the hand-written gradient
// before timing, and prints at the end, from this run:
// gradient / function ratios of medians, and the tape's bytes per observation, per statement and
// per binary op.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <tapegrad/autodiff.hpp>

#include "ratio_reporter.hpp"

namespace {

constexpr int kN = 100000;

struct Data {
  std::vector<double> x, y;
};

const Data& data() {
  static const Data d = [] {
    Data out;
    std::mt19937_64 rng(2026);
    std::normal_distribution<double> z;
    std::student_t_distribution<double> noise(4.0);
    for (int i = 0; i < kN; ++i) {
      const double x = z(rng);
      out.x.push_back(x);
      out.y.push_back(1.0 + 2.0 * x + 0.5 * noise(rng));
    }
    return out;
  }();
  return d;
}

// What a user writes. log p(y | x) = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log sigma
//                                    - (nu+1)/2 log1p(z^2 / nu),   z = (y - a - b x) / sigma.
// The terms that do not depend on the observation are computed once, outside the loop.
template <class T>
T student_t_loglik(const std::vector<T>& theta, const Data& d) {
  using std::exp;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const T& a = theta[0];
  const T& b = theta[1];
  const T sigma = exp(theta[2]);
  const T& nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  T ll = n * (lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * M_PI) - log(sigma));
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const T z = (d.y[i] - (a + b * d.x[i])) / sigma;
    ll -= (nu + 1) / 2 * log1p(z * z / nu);
  }
  return ll;
}

// The same log-likelihood and its gradient, derived by hand, in one loop.
double student_t_handwritten(const std::vector<double>& theta, const Data& d, double* grad) {
  const double a = theta[0], b = theta[1], sigma = std::exp(theta[2]), nu = theta[3];
  const double n = static_cast<double>(d.x.size());
  const double s2nu = sigma * sigma * nu;
  double sum_log1p = 0, sum_q_ratio = 0, ga = 0, gb = 0;
  for (std::size_t i = 0; i < d.x.size(); ++i) {
    const double r = d.y[i] - (a + b * d.x[i]);
    const double q = r * r / s2nu;                   // z^2 / nu
    const double w = (nu + 1) * r / (s2nu + r * r);  // d ll_i / d a
    sum_log1p += std::log1p(q);
    sum_q_ratio += q / (1 + q);
    ga += w;
    gb += w * d.x[i];
  }
  const double half = (nu + 1) / 2;
  grad[0] = ga;
  grad[1] = gb;
  grad[2] = -n + (nu + 1) * sum_q_ratio;  // sigma * d/dsigma
  grad[3] = n * (0.5 * tapegrad::digamma(half) - 0.5 * tapegrad::digamma(nu / 2) - 0.5 / nu) - 0.5 * sum_log1p +
            half / nu * sum_q_ratio;
  return n * (std::lgamma(half) - std::lgamma(nu / 2) - 0.5 * std::log(nu * M_PI) - std::log(sigma)) - half * sum_log1p;
}

// Away from the MLE (about (1, 2, log 0.5, 4)), so that no gradient entry is near zero.
const std::vector<double> kTheta{0.8, 1.7, std::log(0.6), 5.0};

Eigen::VectorXd theta_vector() { return Eigen::Map<const Eigen::VectorXd>(kTheta.data(), 4); }

void BM_function(benchmark::State& state) {
  const Data& d = data();
  for (auto _ : state) benchmark::DoNotOptimize(student_t_loglik(kTheta, d));
}

void BM_tapegrad_gradient(benchmark::State& state) {
  const Data& d = data();
  const Eigen::VectorXd theta = theta_vector();
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  for (auto _ : state) {
    const tapegrad::GradientResult r = tapegrad::gradient(f, theta);
    benchmark::DoNotOptimize(r.value);
    benchmark::DoNotOptimize(r.gradient.data());
  }
}

void BM_handwritten_gradient(benchmark::State& state) {
  const Data& d = data();
  double grad[4];
  for (auto _ : state) {
    benchmark::DoNotOptimize(student_t_handwritten(kTheta, d, grad));
    benchmark::DoNotOptimize(grad);
  }
}

// A chain of binary ops x = x * y: recording plus reverse sweep, per op.
constexpr int kChainOps = 1 << 16;
void BM_binary_op_chain(benchmark::State& state) {
  tapegrad::ScopedTape tape;
  for (auto _ : state) {
    tape.clear();
    tapegrad::Var x = 1.0, y = 1.0000001;
    for (int i = 0; i < kChainOps; ++i) x = x * y;
    tape.backward(x.index());
    benchmark::DoNotOptimize(tape.adjoint(y.index()));
  }
  state.SetItemsProcessed(state.iterations() * kChainOps);
}

// The gradient's two halves apart: recording (clear, the inputs, the loop on Vars) and the
// reverse sweep of that recording (backward: adjoints zeroed, then swept; repeatable).
void BM_tapegrad_record(benchmark::State& state) {
  const Data& d = data();
  tapegrad::ScopedTape tape;
  for (auto _ : state) {
    tape.clear();
    std::vector<tapegrad::Var> th(kTheta.begin(), kTheta.end());
    benchmark::DoNotOptimize(student_t_loglik(th, d).value());
  }
}
void BM_tapegrad_sweep(benchmark::State& state) {
  const Data& d = data();
  tapegrad::ScopedTape tape;
  std::vector<tapegrad::Var> th(kTheta.begin(), kTheta.end());
  const tapegrad::Var ll = student_t_loglik(th, d);
  for (auto _ : state) {
    tape.backward(ll.index());
    benchmark::DoNotOptimize(tape.adjoint(th[3].index()));
  }
}

BENCHMARK(BM_function)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_gradient)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_record)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tapegrad_sweep)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_handwritten_gradient)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_binary_op_chain)->Unit(benchmark::kMicrosecond);

// Checks value and gradient of the tape against the hand-written ones (and the double function's
// value), each entry to 1e-8 relative.
bool verify() {
  const Data& d = data();
  auto f = [&](const auto& th) { return student_t_loglik(th, d); };
  const tapegrad::GradientResult tape_result = tapegrad::gradient(f, theta_vector());
  double grad[4];
  const double value = student_t_handwritten(kTheta, d, grad);
  const double plain = student_t_loglik(kTheta, d);
  auto rel = [](double got, double want) { return std::abs(got - want) / std::abs(want); };
  double worst = std::max(rel(tape_result.value, value), rel(plain, value));
  for (int i = 0; i < 4; ++i) worst = std::max(worst, rel(tape_result.gradient[i], grad[i]));
  const bool ok = worst <= 1e-8;
  std::printf("value %.10g; gradient (a, b, log sigma, nu): tape (%.10g, %.10g, %.10g, %.10g)\n", value,
              tape_result.gradient[0], tape_result.gradient[1], tape_result.gradient[2], tape_result.gradient[3]);
  std::printf("                                             hand (%.10g, %.10g, %.10g, %.10g)\n", grad[0], grad[1],
              grad[2], grad[3]);
  std::printf("tape vs hand-written, largest relative difference %.1e (must be <= 1e-8): %s\n\n", worst,
              ok ? "agree" : "DISAGREE");
  return ok;
}

struct TapeFigures {
  double statements_per_obs, operands_per_obs, bytes_per_obs, bytes_per_statement, bytes_per_binary_op;
};

// Records the likelihood once and a chain of binary ops once, and reads the tape's counters.
TapeFigures measure_tape() {
  TapeFigures t{};
  const Data& d = data();
  const double n = static_cast<double>(d.x.size());
  tapegrad::ScopedTape tape;
  std::vector<tapegrad::Var> th(kTheta.begin(), kTheta.end());
  const std::size_t stmts0 = tape.n_statements(), ops0 = tape.n_operands(), bytes0 = tape.bytes_used();
  const tapegrad::Var ll = student_t_loglik(th, d);  // bytes_used() counts each statement's adjoint
  (void)ll;
  const auto stmts = static_cast<double>(tape.n_statements() - stmts0);
  t.statements_per_obs = stmts / n;
  t.operands_per_obs = static_cast<double>(tape.n_operands() - ops0) / n;
  t.bytes_per_obs = static_cast<double>(tape.bytes_used() - bytes0) / n;
  t.bytes_per_statement = static_cast<double>(tape.bytes_used() - bytes0) / stmts;

  tape.clear();
  tapegrad::Var x = 1.0, y = 2.0;
  const std::size_t before = tape.bytes_used();
  constexpr int kOps = 1000;
  for (int i = 0; i < kOps; ++i) x = x * y;
  t.bytes_per_binary_op = static_cast<double>(tape.bytes_used() - before) / kOps;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (!verify()) return 1;
  const TapeFigures tape = measure_tape();
  return tapegrad_bench::run_and_print_ratios(
      argc, argv,
      {{"Student-t N=100k: tapegrad gradient / function", "BM_tapegrad_gradient", "BM_function", 2.5},
       {"Student-t N=100k: hand-written gradient / function", "BM_handwritten_gradient", "BM_function", 0},
       {"Student-t N=100k: tapegrad recording / function", "BM_tapegrad_record", "BM_function", 0},
       {"Student-t N=100k: tapegrad reverse sweep / function", "BM_tapegrad_sweep", "BM_function", 0},
       {"Student-t N=100k: tapegrad gradient / hand-written gradient", "BM_tapegrad_gradient",
        "BM_handwritten_gradient", 0}},
      [&](const tapegrad_bench::MedianCollector& medians) {
        std::printf("\nTape memory (bytes written, adjoints included; the few statements before the loop counted):\n");
        std::printf("  per observation: %.2f statements, %.2f operands, %.1f bytes\n", tape.statements_per_obs,
                    tape.operands_per_obs, tape.bytes_per_obs);
        std::printf("  per statement:   %.1f bytes\n", tape.bytes_per_statement);
        std::printf("  per binary op (x = x * y): %.1f bytes   (target <= 40: %s)\n", tape.bytes_per_binary_op,
                    tape.bytes_per_binary_op <= 40 ? "met" : "MISSED");
        const double ops_per_s = medians.counter("BM_binary_op_chain", "items_per_second");
        if (ops_per_s > 0) {
          std::printf("  binary-op chain, recording + reverse sweep: %.1f M ops/s, %.2f ns per op (median)\n",
                      ops_per_s / 1e6, 1e9 / ops_per_s);
        }
      });
}
