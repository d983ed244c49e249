#include "tapegrad/models/model.hpp"

#include "tapegrad/models/errors.hpp"
#include "tapegrad/models/json_reader.hpp"

namespace tapegrad::models {

Model::Model(std::vector<std::unique_ptr<Layer>> layers, std::vector<std::string> layer_paths,
             std::unique_ptr<Family> family, const Dataset& data, const std::string& config_file)
    : layers_(std::move(layers)), family_(std::move(family)) {
  // Parameter names say where they live: "linear0.weight[0,wt]"; the first layer's inputs are
  // named by their feature, later layers' by unit index.
  std::vector<std::string> inputs = data.feature_names;
  Eigen::Index units = data.features.cols();
  std::size_t offset = 0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    in_units_.push_back(units);
    offsets_.push_back(offset);
    const std::string prefix = layers_[l]->type() + std::to_string(l);
    for (auto& name : layers_[l]->parameter_names(prefix, inputs)) {
      names_.push_back(std::move(name));
      log_scale_.push_back(false);
    }
    offset += layers_[l]->parameter_count(units);
    if (names_.size() != offset)
      fail_at(config_file, layer_paths[l], "layer " + layers_[l]->type() + " names " + std::to_string(names_.size()) +
                                               " parameters but has " + std::to_string(offset));
    units = layers_[l]->output_units(units);
    inputs.clear();
    for (Eigen::Index j = 0; j < units; ++j) inputs.push_back(std::to_string(j));
  }
  offsets_.push_back(offset);
  for (const auto& p : family_->parameters()) {
    names_.push_back(p.name);
    log_scale_.push_back(p.log_scale);
  }

  ModelShape shape;
  shape.units = units;
  shape.last_layer = layers_.empty() ? "" : layers_.back()->type();
  shape.last_layer_path = layer_paths.empty() ? "/model" : layer_paths.back();
  shape.config_file = config_file;
  family_->check_output(shape, data);

  evaluated_ = layers_.size();
  fused_ = family_->fused_activation();
  if (!fused_.empty() && shape.last_layer == fused_) --evaluated_;
  else fused_.clear();
}

Eigen::VectorXd Model::initial_parameters(const Dataset& data, std::uint64_t seed, bool spread) const {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(names_.size()));
  std::mt19937_64 rng(seed);
  std::size_t linear_layers = 0;
  for (const auto& layer : layers_) linear_layers += layer->parameter_count(1) > 0 ? 1 : 0;
  spread = spread || linear_layers > 1;  // hidden units start apart, or they stay identical
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto count = static_cast<Eigen::Index>(offsets_[l + 1] - offsets_[l]);
    layers_[l]->initialise(theta.segment(static_cast<Eigen::Index>(offsets_[l]), count), in_units_[l], spread, rng);
  }
  const auto start = static_cast<Eigen::Index>(offsets_.back());
  family_->initialise(theta.segment(start, theta.size() - start), data);
  return theta;
}

template <class Real>
BasicVar<Real> Model::record(const std::vector<BasicVar<Real>>& theta, const DataMatrix& features,
                             const Dataset& data) const {
  const std::size_t own = offsets_.back();
  const ParamBlock<Real> family_block{&theta, own, theta.size() - own};
  // One affine layer (before the family's fused activation, if it has one): a GLM, one pass
  // over the data, where the family has that form.
  if (evaluated_ == 1) {
    const ParamBlock<Real> block{&theta, offsets_[0], offsets_[1] - offsets_[0]};
    if (const auto affine = layers_[0]->affine(features.cols(), block)) {
      if (auto ll = family_->glm_log_likelihood(features, *affine, data, family_block)) return *ll;
    }
  }
  // The first layer reads the data; each later one the previous layer's output.
  BasicMatVar<Real> out;
  for (std::size_t l = 0; l < evaluated_; ++l) {
    const ParamBlock<Real> block{&theta, offsets_[l], offsets_[l + 1] - offsets_[l]};
    const LayerInput<Real> in = l == 0 ? LayerInput<Real>{features, {}} : LayerInput<Real>{std::nullopt, out};
    out = layers_[l]->forward(in, block);
  }
  if (evaluated_ == 0) out = BasicMatVar<Real>(features);
  return family_->log_likelihood(out, data, family_block);
}

Var Model::log_likelihood(const std::vector<Var>& theta, const Dataset& data) const {
  return record(theta, data_view(data.features), data);
}
HVar Model::log_likelihood(const std::vector<HVar>& theta, const Dataset& data) const {
  return record(theta, data_view(data.features), data);
}
Var Model::log_likelihood(const std::vector<Var>& theta, const DataShard& shard) const {
  return record(theta, shard.features, shard.rows);
}
HVar Model::log_likelihood(const std::vector<HVar>& theta, const DataShard& shard) const {
  return record(theta, shard.features, shard.rows);
}

std::optional<Eigen::MatrixXd> Model::glm_hessian(const Eigen::VectorXd& theta, const DataMatrix& features,
                                                  const Dataset& data) const {
  // Only the built-in linear layer: its affine() arranges parameters without arithmetic, so the
  // Hessian in (vec(W), b) is the Hessian in theta, its entries moved. A layer whose W and b
  // were functions of theta would need the chain rule's second-order term.
  if (evaluated_ != 1 || layers_[0]->type() != "linear") return std::nullopt;
  const Eigen::Index p = theta.size();
  const auto layer_count = static_cast<Eigen::Index>(offsets_[1]);  // the family's own parameters follow
  // Where each entry of W and b lives in theta: affine() asked with theta = (0, 1, 2, ...).
  ScopedTape tape;
  std::vector<Var> positions;
  positions.reserve(static_cast<std::size_t>(p));
  for (Eigen::Index i = 0; i < p; ++i) positions.emplace_back(static_cast<double>(i));
  const ParamBlock<double> block{&positions, offsets_[0], offsets_[1] - offsets_[0]};
  const auto affine = layers_[0]->affine(features.cols(), block);
  if (!affine) return std::nullopt;
  const Eigen::MatrixXd w_at = affine->weight.value();
  const Eigen::MatrixXd b_at = affine->bias.size() == 0 ? Eigen::MatrixXd() : Eigen::MatrixXd(affine->bias.value());
  // u = (vec(W), b) -> theta. Each parameter exactly once, as itself, or this is not a plain
  // arrangement (parameters outside W and b, or arithmetic on them): then the sweeps.
  std::vector<Eigen::Index> at;
  std::vector<bool> seen(static_cast<std::size_t>(p), false);
  for (const Eigen::MatrixXd* m : {&w_at, &b_at}) {
    for (Eigen::Index k = 0; k < m->size(); ++k) {
      const double v = m->data()[k];
      const auto i = static_cast<Eigen::Index>(v);
      if (!(v >= 0 && v < static_cast<double>(layer_count)) || static_cast<double>(i) != v ||
          seen[static_cast<std::size_t>(i)])
        return std::nullopt;
      seen[static_cast<std::size_t>(i)] = true;
      at.push_back(i);
    }
  }
  if (static_cast<Eigen::Index>(at.size()) != layer_count) return std::nullopt;
  for (Eigen::Index i = layer_count; i < p; ++i) at.push_back(i);  // u's tail: the family's parameters, as in theta

  Eigen::MatrixXd w(w_at.rows(), w_at.cols());
  for (Eigen::Index k = 0; k < w.size(); ++k) w.data()[k] = theta[at[static_cast<std::size_t>(k)]];
  Eigen::RowVectorXd b(b_at.size());
  for (Eigen::Index k = 0; k < b.size(); ++k) b[k] = theta[at[static_cast<std::size_t>(w.size() + k)]];
  const std::optional<GlmDerivatives> u =
      family_->glm_derivatives_with_parameters(features, w, b, theta.tail(p - layer_count), data);
  if (!u || u->hessian.rows() != p) return std::nullopt;
  Eigen::MatrixXd h(p, p);
  for (Eigen::Index j = 0; j < p; ++j)
    for (Eigen::Index i = 0; i < p; ++i) h(at[static_cast<std::size_t>(i)], at[static_cast<std::size_t>(j)]) = u->hessian(i, j);
  return h;
}

std::optional<Eigen::MatrixXd> Model::glm_hessian(const Eigen::VectorXd& theta, const Dataset& data) const {
  return glm_hessian(theta, data_view(data.features), data);
}
std::optional<Eigen::MatrixXd> Model::glm_hessian(const Eigen::VectorXd& theta, const DataShard& shard) const {
  return glm_hessian(theta, shard.features, shard.rows);
}

}  // namespace tapegrad::models
