#pragma once
// Runs the registered benchmarks (5 repetitions, interleaved, unless told otherwise) and prints,
// after the usual table, ratios of medians measured in this same run, then any lines the program
// adds.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tapegrad_bench {

class MedianCollector : public benchmark::ConsoleReporter {
 public:
  MedianCollector() : ConsoleReporter(OO_Tabular) {}  // no colour codes in logs
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        const std::string name = run.run_name.str();
        medians_[name] = run.GetAdjustedRealTime();
        cpu_medians_[name] = run.GetAdjustedCPUTime();
        for (const auto& [counter, value] : run.counters) counters_[name][counter] = value.value;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // Median real time of a benchmark (in its display unit), or a negative number if absent.
  double median(const std::string& name) const {
    auto it = medians_.find(name);
    return it == medians_.end() ? -1.0 : it->second;
  }
  // Median CPU time: on a shared machine, time spent descheduled is not counted.
  double cpu_median(const std::string& name) const {
    auto it = cpu_medians_.find(name);
    return it == cpu_medians_.end() ? -1.0 : it->second;
  }
  // Median of a counter (items_per_second, ...), or a negative number if absent.
  double counter(const std::string& name, const std::string& counter) const {
    auto it = counters_.find(name);
    if (it == counters_.end()) return -1.0;
    auto c = it->second.find(counter);
    return c == it->second.end() ? -1.0 : c->second;
  }

 private:
  std::map<std::string, double> medians_;
  std::map<std::string, double> cpu_medians_;
  std::map<std::string, std::map<std::string, double>> counters_;
};

struct Ratio {
  std::string label, numerator, denominator;
  double target;  // <= 0: none
};

// argv may carry Google Benchmark flags; repetitions default to 5 (medians need several), and
// the repetitions of every benchmark are interleaved at random unless told otherwise, so that a
// busy minute on the shared machine falls on all of them rather than on one side of a ratio.
// `after` prints the program's own closing lines (it sees the medians).
inline int run_and_print_ratios(int argc, char** argv, const std::vector<Ratio>& ratios,
                                const std::function<void(const MedianCollector&)>& after = {}) {
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5";
  std::string aggregates = "--benchmark_report_aggregates_only=true";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  auto given = [&](const char* flag) {
    for (int i = 1; i < argc; ++i)
      if (std::string(argv[i]).rfind(flag, 0) == 0) return true;
    return false;
  };
  if (!given("--benchmark_repetitions")) {
    args.push_back(reps.data());
    args.push_back(aggregates.data());
  }
  if (!given("--benchmark_enable_random_interleaving")) args.push_back(interleave.data());
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  MedianCollector reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nRatios of medians (real time; CPU time in brackets), this run:\n");
  for (const Ratio& r : ratios) {
    const double a = reporter.median(r.numerator), b = reporter.median(r.denominator);
    if (a < 0 || b <= 0) {
      std::printf("  %-60s    n/a   (filtered out, or fewer than 2 repetitions: no median)\n", r.label.c_str());
      continue;
    }
    const double ratio = a / b;
    const double cpu_ratio = reporter.cpu_median(r.numerator) / reporter.cpu_median(r.denominator);
    if (r.target > 0) {
      std::printf("  %-60s %6.2f [%.2f]   (target <= %.2f: %s)\n", r.label.c_str(), ratio, cpu_ratio, r.target,
                  ratio <= r.target ? "met" : "MISSED");
    } else {
      std::printf("  %-60s %6.2f [%.2f]\n", r.label.c_str(), ratio, cpu_ratio);
    }
  }
  if (after) after(reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace tapegrad_bench
