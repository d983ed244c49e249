// One program, one run: every implementation found at configure time, checked against the
// hand-written derivatives, then timed; prints one Markdown table of medians and ratios and
// the targets of project issue 5, all from this run.
//
//   bench_peers [--benchmark_repetitions=N] [--benchmark_filter=REGEX] ...

#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <Eigen/Core>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "registry.hpp"
#include "workloads.hpp"

namespace {

struct Median {
  double real = -1, cpu = -1;
  std::map<std::string, double> counters;
};

// Keeps the median of every benchmark, keyed by its registered name "<workload>/<impl>".
class Collector : public benchmark::ConsoleReporter {
 public:
  Collector() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        Median& m = medians[run.run_name.function_name];
        m.real = run.GetAdjustedRealTime();
        m.cpu = run.GetAdjustedCPUTime();
        for (const auto& [name, c] : run.counters) m.counters[name] = c.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const Median* find(const std::string& workload, const std::string& impl) const {
    auto it = medians.find(workload + "/" + impl);
    return it == medians.end() || it->second.real < 0 ? nullptr : &it->second;
  }
  std::map<std::string, Median> medians;
};

struct Workload {
  std::string name, label, reference;  // reference: the row the "/ reference" column divides by
};

const std::vector<std::string> kImplementations = {
    "function", "handwritten", "tapegrad", "tapegrad_glm", "torch", "torch_vectorized", "adolc", "adolc_tape_reused", "sacado"};

const std::map<std::string, std::string> kImplementationLabels = {
    {"function", "plain `double` function"},
    {"handwritten", "hand-written (Eigen)"},
    {"tapegrad", "tapegrad"},
    {"tapegrad_glm", "tapegrad, fused GLM node"},
    {"torch", "LibTorch"},
    {"torch_vectorized", "LibTorch, vectorised (not a loop)"},
    {"adolc", "ADOL-C (record + reverse)"},
    {"adolc_tape_reused", "ADOL-C, tape reused (`gradient`)"},
    {"sacado", "Sacado Rad (reverse)"}};

std::vector<Workload> workloads() {
  std::vector<Workload> w;
  for (const peers::LogisticSize& s : peers::kLogisticSizes) {
    w.push_back({s.name, "(a) logistic N=" + std::to_string(s.n) + ", d=" + std::to_string(s.d), "handwritten"});
  }
  w.push_back({peers::kSoftmaxName, "(b) softmax N=50000, d=20, K=10", "handwritten"});
  w.push_back({peers::kStudentTName, "(c) Student-t loop N=100000", "function"});
  w.push_back({peers::kFitName, "(d) L-BFGS fit, logistic 1M x 20", "tapegrad"});
  w.push_back({peers::kHessianName, "(e) Hessian, softmax 50 params, N=10000", "handwritten"});
  return w;
}

double ratio(const Median* a, const Median* b) { return a && b && b->real > 0 ? a->real / b->real : -1; }
double cpu_ratio(const Median* a, const Median* b) { return a && b && b->cpu > 0 ? a->cpu / b->cpu : -1; }

std::string fmt_ratio(double r, double c) {
  if (r < 0) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f [%.2f]", r, c);
  return buf;
}

std::string fmt_ms(double ms) {
  char buf[32];
  if (ms >= 100) std::snprintf(buf, sizeof buf, "%.0f", ms);
  else if (ms >= 10) std::snprintf(buf, sizeof buf, "%.1f", ms);
  else std::snprintf(buf, sizeof buf, "%.2f", ms);
  return buf;
}

void print_table(const Collector& c) {
  std::printf("\n## One table, this run (medians; times in ms; ratios of real-time medians, CPU-time in brackets)\n\n");
  std::printf("| workload | implementation | real | CPU | / reference | / tapegrad | L-BFGS iterations (evaluations) |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const Workload& w : workloads()) {
    const Median* ref = c.find(w.name, w.reference);
    const Median* tg = c.find(w.name, "tapegrad");
    for (const std::string& impl : kImplementations) {
      const Median* m = c.find(w.name, impl);
      if (!m) continue;
      std::string iters;
      auto it = m->counters.find("iterations");
      if (it != m->counters.end()) {
        iters = std::to_string(static_cast<long>(it->second)) + " (" +
                std::to_string(static_cast<long>(m->counters.at("evaluations"))) + ")";
      }
      std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", w.label.c_str(), kImplementationLabels.at(impl).c_str(),
                  fmt_ms(m->real).c_str(), fmt_ms(m->cpu).c_str(),
                  impl == w.reference ? "1" : fmt_ratio(ratio(m, ref), cpu_ratio(m, ref)).c_str(),
                  impl == "tapegrad" || impl == "function" ? "" : fmt_ratio(ratio(m, tg), cpu_ratio(m, tg)).c_str(),
                  iters.c_str());
    }
  }
  std::printf("\n\"/ reference\": the hand-written gradient for (a), (b), (e); the plain double function for (c)\n"
              "(so that column is gradient time / function time); tapegrad for (d).\n");
}

// One target line: `value` compared with `bound` (kind "<=" or ">=").
void target(const char* label, double value, double cpu_value, const char* kind, double bound) {
  if (value < 0) {
    std::printf("| %s | n/a (not measured in this build or run) | %s %.2f | |\n", label, kind, bound);
    return;
  }
  // Judged on CPU time: real time also counts the time this process waited for a core.
  const bool met = std::string(kind) == "<=" ? cpu_value <= bound : cpu_value >= bound;
  std::printf("| %s | %.2f [**%.2f**] | %s %.2f | %s |\n", label, value, cpu_value, kind, bound,
              met ? "met" : "**MISSED**");
}

void print_targets(const Collector& c) {
  std::printf("\n## Targets (project issue 5), this run: real [CPU], judged on the CPU-time ratio\n\n"
              "| figure | this run | target | |\n|---|---|---|---|\n");
  auto both = [&](const std::string& w, const std::string& a, const std::string& b, const std::string& label,
                  const char* kind, double bound) {
    const Median* ma = c.find(w, a);
    const Median* mb = c.find(w, b);
    target(label.c_str(), ratio(ma, mb), cpu_ratio(ma, mb), kind, bound);
  };
  for (const peers::LogisticSize& s : peers::kLogisticSizes) {
    both(s.name, "tapegrad", "torch", std::string(s.name) + ": tapegrad / LibTorch", "<=", 1.0);
    both(s.name, "tapegrad", "handwritten", std::string(s.name) + ": tapegrad / hand-written", "<=", 1.2);
    both(s.name, "tapegrad_glm", "torch", std::string(s.name) + ": tapegrad GLM / LibTorch", "<=", 1.0);
    both(s.name, "tapegrad_glm", "handwritten", std::string(s.name) + ": tapegrad GLM / hand-written", "<=", 1.2);
  }
  both(peers::kSoftmaxName, "tapegrad", "torch", std::string(peers::kSoftmaxName) + ": tapegrad / LibTorch", "<=", 1.0);
  both(peers::kSoftmaxName, "tapegrad", "handwritten", std::string(peers::kSoftmaxName) + ": tapegrad / hand-written",
       "<=", 1.2);
  both(peers::kSoftmaxName, "tapegrad_glm", "torch", std::string(peers::kSoftmaxName) + ": tapegrad GLM / LibTorch",
       "<=", 1.0);
  both(peers::kSoftmaxName, "tapegrad_glm", "handwritten",
       std::string(peers::kSoftmaxName) + ": tapegrad GLM / hand-written", "<=", 1.2);
  both(peers::kStudentTName, "tapegrad", "function", "student_t: tapegrad gradient / function", "<=", 2.5);
  both(peers::kStudentTName, "sacado", "tapegrad", "student_t: Sacado Rad / tapegrad", ">=", 8);
  both(peers::kStudentTName, "adolc", "tapegrad", "student_t: ADOL-C (record + reverse) / tapegrad", ">=", 12);
  both(peers::kStudentTName, "adolc_tape_reused", "tapegrad", "student_t: ADOL-C (tape reused) / tapegrad", ">=", 12);
  both(peers::kHessianName, "tapegrad", "torch", "hessian: tapegrad / LibTorch", "<=", 1.0);
  both(peers::kFitName, "tapegrad", "torch", "fit: tapegrad / LibTorch (no target)", "<=", 1.0);
}

double load_average() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  // Single-threaded everywhere: Eigen (if built with OpenMP), OpenBLAS (if the BLAS found at
  // run time is OpenBLAS: it reads its thread count at load, so set it here again), LibTorch
  // (its setup, registered by its own source file).
  Eigen::setNbThreads(1);
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(1);
  peers::run_setups();
  peers::run_checks();

  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5", aggregates = "--benchmark_report_aggregates_only=true";
  bool has_reps = false;
  for (int i = 1; i < argc; ++i) has_reps = has_reps || std::string(argv[i]).rfind("--benchmark_repetitions", 0) == 0;
  bool has_interleaving = false;
  for (int i = 1; i < argc; ++i) {
    has_interleaving = has_interleaving || std::string(argv[i]).rfind("--benchmark_enable_random_interleaving", 0) == 0;
  }
  // On a shared machine the load changes from minute to minute: repetitions interleaved at
  // random spread it over every implementation instead of charging it to whichever ran then.
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  if (!has_reps) args.push_back(reps.data());
  if (!has_interleaving) args.push_back(interleave.data());
  args.push_back(aggregates.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  const double load_before = load_average();
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  const double load_after = load_average();
  print_table(collector);
  print_targets(collector);
  std::printf("\nLoad average (1 min) at the start and at the end of the timed runs: %.2f, %.2f\n", load_before,
              load_after);
  benchmark::Shutdown();
  return 0;
}
