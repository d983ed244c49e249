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

class Communicator;

struct Experiment {
  ExperimentConfig config;
  Dataset data;  // under mpirun: this rank's rows only
  std::unique_ptr<Model> model;
  double load_seconds = 0;  // reading the data and building the model
  Communicator* communicator = nullptr;  // the ranks of a distributed fit (distributed.hpp), or none
  std::size_t total_rows = 0;            // over all ranks (data.rows() without a communicator)
};

// Reads the data, prepares the target for the family and builds the model. InputError on bad
// data (naming the file, row and column) or a model that cannot feed its family.
// With a communicator, each rank reads its own part of the rows and every rank fails together,
// with the first failing rank's message, if any rank's data is bad.
Experiment load_experiment(const ExperimentConfig& config, Communicator* communicator = nullptr);

// Builds the family or a layer from its config (as load_experiment does).
std::unique_ptr<Family> make_family(const ExperimentConfig& config);
std::unique_ptr<Layer> make_layer(const ExperimentConfig& config, std::size_t index);

}  // namespace tapegrad::models
