#include "tapegrad/models/experiment.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include "tapegrad/models/csv.hpp"
#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"

namespace tapegrad::models {

std::unique_ptr<Family> make_family(const ExperimentConfig& config) {
  ObjectReader options(config.likelihood.options, config.likelihood.path, config.file);
  options.has("family");
  auto family = find_family(config.likelihood.type)(options);
  options.finish();
  return family;
}

std::unique_ptr<Layer> make_layer(const ExperimentConfig& config, std::size_t index) {
  const ComponentConfig& layer = config.model.at(index);
  ObjectReader options(layer.options, layer.path, config.file);
  options.has("type");
  auto built = find_layer(layer.type)(options);
  options.finish();
  return built;
}

namespace {

Experiment load_local(const ExperimentConfig& config, Communicator* communicator) {
  const auto start = std::chrono::steady_clock::now();
  Experiment e;
  e.config = config;
  e.communicator = communicator;
  std::unique_ptr<Family> family = make_family(config);

  CsvRequest request;
  if (communicator) {
    request.part = static_cast<std::size_t>(communicator->rank());
    request.parts = static_cast<std::size_t>(communicator->size());
  }
  request.path = config.data.csv;
  request.target = config.data.target;
  request.features = config.data.features;
  request.target_as_text = family->text_target();
  request.drop_missing = config.data.drop_missing;
  request.threads = config.fit.threads;  // the threads that evaluate the rows also parse them (0: every core)
  CsvTable table = read_csv(request);

  Dataset& data = e.data;
  data.source = config.data.csv;
  data.target_name = config.data.target;
  data.feature_names = std::move(table.feature_names);
  data.features = std::move(table.features);
  data.target = std::move(table.target);
  data.rows_dropped = table.rows_dropped;
  family->prepare_target(data, table.target_text);
  table.target_text = {};

  const auto& o = config.fit.optimizer;
  if (communicator && (o.method == "adam" || o.method == "sgd"))
    fail_at(config.file, "/fit/optimizer",
            "optimizer \"" + o.method + "\" is not available under mpirun (mini-batches are not split across "
            "processes); use \"lbfgs\" or \"newton\", or run without mpirun");
  if (!communicator && o.batch_size > data.rows())
    fail_at(config.file, config.fit.batch_size_path,
            "batch_size must be at most the number of observations (" + std::to_string(data.rows()) + " in " +
                data.source + "), found " + std::to_string(o.batch_size));

  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<std::string> paths;
  for (std::size_t l = 0; l < config.model.size(); ++l) {
    layers.push_back(make_layer(config, l));
    paths.push_back(config.model[l].path);
  }
  e.model = std::make_unique<Model>(std::move(layers), std::move(paths), std::move(family), data, config.file);
  e.total_rows = data.rows();
  e.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

// A fingerprint of what must be the same on every rank: the parameters' names (which hold the
// features and, for categorical data, the classes each rank found).
double layout_fingerprint(const Model& model) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (const auto& name : model.parameter_names())
    for (unsigned char c : name + '\n') h = (h ^ c) * 1099511628211ull;
  return static_cast<double>(h >> 11);  // exact in a double
}

}  // namespace

Experiment load_experiment(const ExperimentConfig& config, Communicator* communicator) {
  if (!communicator) return load_local(config, nullptr);
  Experiment e;
  on_every_rank(*communicator, [&] { e = load_local(config, communicator); });
  // Every rank must have built the same parameters (a rank whose rows lack a class would not).
  double mine[2] = {layout_fingerprint(*e.model), static_cast<double>(e.model->parameter_count())};
  double first[2] = {mine[0], mine[1]};
  communicator->broadcast(first, 2);
  const bool same = first[0] == mine[0] && first[1] == mine[1];
  communicator->agree(same ? "" : e.config.data.csv + ": the rows this process read give the model " +
                                      std::to_string(e.model->parameter_count()) +
                                      " parameters (or other names) than rank 0's; with categorical data every "
                                      "process's share of the rows must hold every class",
                      true);
  double rows = static_cast<double>(e.data.rows());
  communicator->sum(&rows, 1);
  e.total_rows = static_cast<std::size_t>(rows);
  return e;
}

}  // namespace tapegrad::models
