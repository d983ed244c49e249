#pragma once
// An experiment: a validated config, its data, and the model built for that data. Everything
// the command line does is a call here first:
//
//   auto config = tapegrad::models::load_config("examples/mtcars_logistic/config.json");
//   auto experiment = tapegrad::models::load_experiment(config);
//   auto results = tapegrad::models::fit(experiment);          // fit.hpp
//   std::cout << tapegrad::models::format_summary(results);    // report.hpp
#include <memory>

#include "tapegrad/models/config.hpp"
#include "tapegrad/models/dataset.hpp"
#include "tapegrad/models/model.hpp"

namespace tapegrad::models {

struct Experiment {
  ExperimentConfig config;
  Dataset data;
  std::unique_ptr<Model> model;
  double load_seconds = 0;  // reading the data and building the model
};

// Reads the data, prepares the target for the family and builds the model. InputError on bad
// data (naming the file, row and column) or a model that cannot feed its family.
Experiment load_experiment(const ExperimentConfig& config);

// Builds the family or a layer from its config (as load_experiment does).
std::unique_ptr<Family> make_family(const ExperimentConfig& config);
std::unique_ptr<Layer> make_layer(const ExperimentConfig& config, std::size_t index);

}  // namespace tapegrad::models
