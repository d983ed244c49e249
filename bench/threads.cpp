// Data-parallel gradient: logistic regression (1,000,000 x 20) mean NLL + gradient through the
// models' objective (linear + sigmoid + bernoulli, the path `tapegrad fit` takes) on 1 and on 2
// threads, each shard on its own thread's tape. Target: speed-up >= 1.7 on 2 cores. Checks
// first that both give the same numbers (1e-12 relative).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>

#include "ratio_reporter.hpp"
#include "tapegrad/models/config.hpp"
#include "tapegrad/models/experiment.hpp"
#include "tapegrad/models/objective.hpp"

namespace {

namespace m = tapegrad::models;

struct Problem {
  m::Dataset data;
  std::unique_ptr<m::Model> model;
  Eigen::VectorXd theta;
};

const Problem& problem() {
  static const Problem* p = [] {
    auto* out = new Problem;
    const Eigen::Index n = 1000000, d = 20;
    std::mt19937_64 rng(5);
    std::normal_distribution<double> unit(0.0, 1.0);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    out->data.features.resize(n, d);
    out->data.target.resize(n);
    Eigen::VectorXd w(d);
    for (Eigen::Index j = 0; j < d; ++j) w[j] = 0.3 * unit(rng);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < d; ++j) out->data.features(i, j) = unit(rng);
      const double eta = out->data.features.row(i).dot(w);
      out->data.target[i] = uniform(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
    }
    for (Eigen::Index j = 0; j < d; ++j) out->data.feature_names.push_back("x" + std::to_string(j));
    out->data.target_name = "y";
    out->data.source = "generated";
    const m::ExperimentConfig config = m::parse_config(
        {{"data", {{"csv", "generated.csv"}, {"target", "y"}}},
         {"model", {{{"type", "linear"}, {"units", 1}}, {{"type", "sigmoid"}}}},
         {"likelihood", {{"family", "bernoulli"}}}},
        ".");
    std::vector<std::unique_ptr<m::Layer>> layers;
    std::vector<std::string> paths;
    for (std::size_t l = 0; l < config.model.size(); ++l) {
      layers.push_back(m::make_layer(config, l));
      paths.push_back(config.model[l].path);
    }
    out->model = std::make_unique<m::Model>(std::move(layers), std::move(paths), m::make_family(config), out->data, "<bench>");
    out->theta = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(out->model->parameter_count()), 0.05);
    return out;
  }();
  return *p;
}

void BM_objective(benchmark::State& state) {
  const Problem& p = problem();
  m::ModelObjective objective(*p.model, p.data, static_cast<std::size_t>(state.range(0)));
  Eigen::VectorXd g;
  for (auto _ : state) benchmark::DoNotOptimize(objective.value_gradient(p.theta, g));
  state.counters["shards"] = static_cast<double>(objective.shards());
}
BENCHMARK(BM_objective)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

bool verify() {
  const Problem& p = problem();
  m::ModelObjective one(*p.model, p.data, 1), two(*p.model, p.data, 2);
  Eigen::VectorXd g1, g2;
  const double v1 = one.value_gradient(p.theta, g1), v2 = two.value_gradient(p.theta, g2);
  const bool ok = two.shards() == 2 && std::abs(v1 - v2) <= 1e-12 * std::abs(v1) &&
                  (g1 - g2).cwiseAbs().maxCoeff() <= 1e-12 * g1.cwiseAbs().maxCoeff();
  std::printf("1 vs 2 threads (1e-12 relative): %s\n", ok ? "agree" : "DISAGREE");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!verify()) return 1;
  // The ratio printed is 2-thread time / 1-thread time: the speed-up is its inverse (>= 1.7
  // means a ratio <= 0.59). Real time: a parallel run's CPU time adds the threads up.
  return tapegrad_bench::run_and_print_ratios(
      argc, argv, {{"logistic (1M, 20) gradient: 2 threads / 1 thread (speed-up >= 1.7)", "BM_objective/2/real_time",
                    "BM_objective/1/real_time", 1 / 1.7}});
}
