#include "tapegrad/models/model_check.hpp"

#include <random>

#include "tapegrad/autodiff/drivers.hpp"

namespace tapegrad::models {

ModelCheckResults check_model(const Experiment& experiment, const ModelCheckOptions& options) {
  const Model& model = *experiment.model;
  const Dataset& data = experiment.data;
  const double scale = -1.0 / static_cast<double>(data.rows());
  auto f = [&](const std::vector<Var>& theta) { return scale * model.log_likelihood(theta, data); };

  CheckOptions tolerances = options.tolerances;
  tolerances.names = model.parameter_names();
  const Eigen::VectorXd start = model.initial_parameters(data, experiment.config.fit.optimizer.seed,
                                                         experiment.config.fit.spread_init);
  ModelCheckResults out;
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> offset(0.0, options.spread);
  for (int k = 0; k <= options.random_points; ++k) {
    Eigen::VectorXd x = start;
    if (k > 0)
      for (Eigen::Index j = 0; j < x.size(); ++j) x[j] += offset(rng);
    ModelCheckPoint point{k == 0 ? "starting point" : "random point " + std::to_string(k),
                          check_gradient_on_tape(f, x, tolerances)};
    out.passed = out.passed && point.report.passed;
    out.points.push_back(std::move(point));
  }
  return out;
}

}  // namespace tapegrad::models
