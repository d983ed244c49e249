#pragma once
// The mean negative log-likelihood of a model over a data set, as the optimizers see it:
// f(theta) = -(1/n) sum_i log p(y_i | x_i, theta). The mean keeps the gradient tolerance
// independent of n; reports multiply back to the total.
#include "tapegrad/models/dataset.hpp"
#include "tapegrad/models/model.hpp"
#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

class ModelObjective final : public Objective {
 public:
  ModelObjective(const Model& model, const Dataset& data) : model_(model), data_(data) {}
  Eigen::Index dimension() const override { return static_cast<Eigen::Index>(model_.parameter_count()); }
  std::size_t observations() const override { return data_.rows(); }
  // A parameter value the model cannot be evaluated at (a NaN or infinite output) gives a
  // NaN value and gradient, which the optimizers treat as "too far", never as a result.
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override;
  double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                              Eigen::VectorXd& g) override;
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override;

 private:
  double evaluate(const Dataset& data, const Eigen::VectorXd& x, Eigen::VectorXd& g) const;

  const Model& model_;
  const Dataset& data_;
};

}  // namespace tapegrad::models
