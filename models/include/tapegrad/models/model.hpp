#pragma once
// A model: layers applied in order to the feature matrix, and a likelihood family scoring the
// target under the distribution the output parameterises. Its log-likelihood is recorded on the
// tape (double for gradients, Dual for Hessians); nothing here knows a derivative.
#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tapegrad/models/dataset.hpp"
#include "tapegrad/models/family.hpp"
#include "tapegrad/models/layer.hpp"

namespace tapegrad::models {

class Model {
 public:
  // Lays out the parameters for `data`'s features and asks the family whether the model's
  // output can feed it (InputError otherwise). `layer_paths` are the layers' JSON paths.
  Model(std::vector<std::unique_ptr<Layer>> layers, std::vector<std::string> layer_paths,
        std::unique_ptr<Family> family, const Dataset& data, const std::string& config_file);

  std::size_t parameter_count() const { return names_.size(); }
  const std::vector<std::string>& parameter_names() const { return names_; }
  // Whether parameter j is optimised on the log scale (reported as exp of it).
  const std::vector<bool>& log_scale() const { return log_scale_; }
  const Family& family() const { return *family_; }
  // The last layer the family evaluates itself through its stable form ("" for none).
  const std::string& fused_activation() const { return fused_; }

  // Starting values: zeros for a one-layer (generalised linear) model, Glorot-uniform weights
  // drawn with `seed` when there are hidden layers (or when `spread` asks for it).
  Eigen::VectorXd initial_parameters(const Dataset& data, std::uint64_t seed, bool spread) const;

  // sum_i log p(y_i | x_i, theta) over `data`'s rows, recorded on the active tape.
  Var log_likelihood(const std::vector<Var>& theta, const Dataset& data) const;
  HVar log_likelihood(const std::vector<HVar>& theta, const Dataset& data) const;
  // The same sum over one shard's rows.
  Var log_likelihood(const std::vector<Var>& theta, const DataShard& shard) const;
  HVar log_likelihood(const std::vector<HVar>& theta, const DataShard& shard) const;
  // The Hessian of that sum in one pass over the rows, for a model that is one linear layer and
  // its family's fused activation where the family has the GLM's second order (glm.hpp); empty
  // for any other model, whose Hessian then comes from forward-over-reverse sweeps.
  std::optional<Eigen::MatrixXd> glm_hessian(const Eigen::VectorXd& theta, const Dataset& data) const;
  std::optional<Eigen::MatrixXd> glm_hessian(const Eigen::VectorXd& theta, const DataShard& shard) const;

 private:
  std::optional<Eigen::MatrixXd> glm_hessian(const Eigen::VectorXd& theta, const DataMatrix& features,
                                             const Dataset& data) const;
  template <class Real>
  BasicVar<Real> record(const std::vector<BasicVar<Real>>& theta, const DataMatrix& features, const Dataset& data) const;

  std::vector<std::unique_ptr<Layer>> layers_;
  std::unique_ptr<Family> family_;
  std::vector<std::size_t> offsets_;     // first parameter of layer l; the family's last
  std::vector<Eigen::Index> in_units_;   // input columns of layer l
  std::size_t evaluated_ = 0;            // layers run by the model (a fused last one is not)
  std::string fused_;
  std::vector<std::string> names_;
  std::vector<bool> log_scale_;
};

}  // namespace tapegrad::models
