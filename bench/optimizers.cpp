// Iterations and time per fit, the default method (auto: trust_region here) against L-BFGS, on
// the R reference problems: mtcars logistic, Boston gaussian (unscaled), iris softmax,
// warpbreaks poisson. One fit per iteration of the benchmark loop, load excluded.
//   build-bench/bench/bench_optimizers <tapegrad source dir>
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/fit.hpp"

namespace m = tapegrad::models;

namespace {

std::string source_dir = ".";

void fit_problem(benchmark::State& state, const std::string& config_path, const std::string& method) {
  m::ExperimentConfig config = m::load_config(source_dir + "/" + config_path);
  config.fit = m::FitConfig{};  // the defaults, then the method
  config.fit.optimizer.method = method;
  config.fit.threads = 1;
  m::Experiment experiment = m::load_experiment(config);
  m::FitResults r;
  for (auto _ : state) {
    r = m::fit(experiment);
    benchmark::DoNotOptimize(r.log_likelihood);
  }
  state.counters["iterations"] = r.iterations;
  state.counters["evaluations"] = r.evaluations;
  state.counters["converged"] = r.succeeded() ? 1 : 0;
  state.counters["max_grad"] = r.gradient_max;
  state.SetLabel(r.optimizer + ": " + r.message.substr(0, 60));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc > 1) source_dir = argv[1];
  const std::vector<std::pair<std::string, std::string>> problems = {
      {"mtcars_logistic", "examples/mtcars_logistic/config.json"},
      {"boston_gaussian", "tests/data/boston/config.json"},
      {"iris_softmax", "examples/iris_softmax/config.json"},
      {"warpbreaks_poisson", "examples/warpbreaks_poisson/config.json"}};
  for (const auto& [name, path] : problems)
    for (const std::string method : {"auto", "lbfgs"})
      benchmark::RegisterBenchmark((name + "/" + method).c_str(),
                                   [path = path, method](benchmark::State& s) { fit_problem(s, path, method); })
          ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
}
