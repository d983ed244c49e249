#include "tapegrad/models/objective.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "tapegrad/autodiff/drivers.hpp"

namespace tapegrad::models {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double ModelObjective::evaluate(const Dataset& data, const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  const double scale = -1.0 / static_cast<double>(data.rows());
  try {
    auto f = [&](const std::vector<Var>& theta) { return scale * model_.log_likelihood(theta, data); };
    GradientResult r = gradient(f, x);
    g = std::move(r.gradient);
    return r.value;
  } catch (const std::domain_error&) {
    // The densities refuse a NaN mean or rate: this parameter value is outside the model's reach.
    g = Eigen::VectorXd::Constant(x.size(), kNaN);
    return kNaN;
  }
}

double ModelObjective::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) { return evaluate(data_, x, g); }

double ModelObjective::batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                                            Eigen::VectorXd& g) {
  if (rows.size() == data_.rows()) return evaluate(data_, x, g);
  return evaluate(data_.subset(rows), x, g);
}

Eigen::MatrixXd ModelObjective::hessian(const Eigen::VectorXd& x) {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  try {
    auto f = [&](const std::vector<HVar>& theta) { return scale * model_.log_likelihood(theta, data_); };
    return tapegrad::hessian(f, x);
  } catch (const std::domain_error&) {
    return Eigen::MatrixXd::Constant(x.size(), x.size(), kNaN);
  }
}

}  // namespace tapegrad::models
