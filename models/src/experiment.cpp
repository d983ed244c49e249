#include "tapegrad/models/experiment.hpp"

#include <chrono>

#include "tapegrad/models/csv.hpp"
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

Experiment load_experiment(const ExperimentConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  Experiment e;
  e.config = config;
  std::unique_ptr<Family> family = make_family(config);

  CsvRequest request;
  request.path = config.data.csv;
  request.target = config.data.target;
  request.features = config.data.features;
  request.target_as_text = family->text_target();
  request.drop_missing = config.data.drop_missing;
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
  if (o.batch_size > data.rows())
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
  e.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

}  // namespace tapegrad::models
