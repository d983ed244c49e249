#include "tapegrad/models/model_check.hpp"

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
  CheckOptions around = tolerances;  // the points: the library's, so the same seed gives the same points
  around.random_points = options.random_points;
  around.seed = options.seed;
  around.spread = options.spread;
  const std::vector<Eigen::VectorXd> points = check_points(start, around);
  ModelCheckResults out;
  for (std::size_t k = 0; k < points.size(); ++k) {
    ModelCheckPoint point{k == 0 ? "starting point" : "random point " + std::to_string(k),
                          check_gradient_on_tape(f, points[k], tolerances)};
    out.passed = out.passed && point.report.passed;
    out.points.push_back(std::move(point));
  }
  return out;
}

}  // namespace tapegrad::models
