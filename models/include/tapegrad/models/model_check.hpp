#pragma once
// `tapegrad check`: the model's exact gradient (mean negative log-likelihood) against central
// finite differences, at the starting parameters and at random points around them.
#include <cstdint>
#include <string>
#include <vector>

#include "tapegrad/autodiff/check.hpp"
#include "tapegrad/models/experiment.hpp"

namespace tapegrad::models {

struct ModelCheckOptions {
  int random_points = 3;     // besides the starting point
  std::uint64_t seed = 0;    // for the random points
  double spread = 0.5;       // standard deviation of the random offsets
  CheckOptions tolerances;   // names are filled in from the model
};

struct ModelCheckPoint {
  std::string label;  // "starting point", "random point 1", ...
  CheckReport report;
};

struct ModelCheckResults {
  std::vector<ModelCheckPoint> points;
  bool passed = true;
};

ModelCheckResults check_model(const Experiment& experiment, const ModelCheckOptions& options = {});

}  // namespace tapegrad::models
