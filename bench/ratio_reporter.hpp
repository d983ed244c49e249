#pragma once
// Runs the registered benchmarks (5 repetitions unless told otherwise) and prints, after the
// usual table, ratios of medians measured in this same run.

#include <benchmark/benchmark.h>

#include <cstdio>
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
        medians_[run.run_name.str()] = run.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // Median real time of a benchmark (in its display unit), or a negative number if absent.
  double median(const std::string& name) const {
    auto it = medians_.find(name);
    return it == medians_.end() ? -1.0 : it->second;
  }

 private:
  std::map<std::string, double> medians_;
};

struct Ratio {
  std::string label, numerator, denominator;
  double target;  // <= 0: none
};

// argv may carry Google Benchmark flags; repetitions default to 5 (medians need several).
inline int run_and_print_ratios(int argc, char** argv, const std::vector<Ratio>& ratios) {
  std::vector<char*> args(argv, argv + argc);
  std::string reps = "--benchmark_repetitions=5";
  std::string aggregates = "--benchmark_report_aggregates_only=true";
  bool has_reps = false;
  for (int i = 1; i < argc; ++i) has_reps = has_reps || std::string(argv[i]).rfind("--benchmark_repetitions", 0) == 0;
  if (!has_reps) {
    args.push_back(reps.data());
    args.push_back(aggregates.data());
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  MedianCollector reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nRatios of medians, this run:\n");
  for (const Ratio& r : ratios) {
    const double a = reporter.median(r.numerator), b = reporter.median(r.denominator);
    if (a < 0 || b <= 0) continue;  // filtered out
    const double ratio = a / b;
    if (r.target > 0) {
      std::printf("  %-58s %6.2f   (target <= %.2f: %s)\n", r.label.c_str(), ratio, r.target,
                  ratio <= r.target ? "met" : "MISSED");
    } else {
      std::printf("  %-58s %6.2f\n", r.label.c_str(), ratio);
    }
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace tapegrad_bench
