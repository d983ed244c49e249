#include "tapegrad/models/objective.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tapegrad/autodiff/drivers.hpp"
#include "tapegrad/autodiff/parallel.hpp"

namespace tapegrad::models {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

std::size_t shard_count(std::size_t rows, std::size_t threads) {
  if (threads == 0) threads = hardware_threads();
  return std::max<std::size_t>(1, std::min(threads, rows / kMinRowsPerShard));
}

ModelObjective::ModelObjective(const Model& model, const Dataset& data, std::size_t threads)
    : model_(model), data_(data) {
  const std::size_t count = shard_count(data.rows(), threads);
  if (count > 1)
    for (const ShardRange& r : shard_ranges(data.rows(), count)) shards_.push_back(make_shard(data, r.begin, r.end));
}

double ModelObjective::evaluate_shards(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  std::vector<GradientResult> parts(shards_.size());
  parallel_for(shards_.size(), [&](std::size_t k) {
    try {
      auto f = [&](const std::vector<Var>& theta) { return scale * model_.log_likelihood(theta, shards_[k]); };
      parts[k] = gradient(f, x);
    } catch (const std::domain_error&) {
      parts[k] = {kNaN, Eigen::VectorXd::Constant(x.size(), kNaN)};
    }
  });
  double value = parts[0].value;
  g = std::move(parts[0].gradient);
  for (std::size_t k = 1; k < parts.size(); ++k) {  // in shard order: reproducible
    value += parts[k].value;
    g += parts[k].gradient;
  }
  return value;
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

double ModelObjective::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  return shards_.empty() ? evaluate(data_, x, g) : evaluate_shards(x, g);
}

double ModelObjective::batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                                            Eigen::VectorXd& g) {
  if (rows.size() == data_.rows()) return value_gradient(x, g);
  return evaluate(data_.subset(rows), x, g);
}

std::optional<Eigen::MatrixXd> ModelObjective::glm_hessian(const Eigen::VectorXd& x) const {
  if (shards_.empty()) return model_.glm_hessian(x, data_);
  std::vector<std::optional<Eigen::MatrixXd>> parts(shards_.size());
  parallel_for(shards_.size(), [&](std::size_t k) { parts[k] = model_.glm_hessian(x, shards_[k]); });
  if (!parts[0]) return std::nullopt;  // the same model on every shard: all or none
  Eigen::MatrixXd h = std::move(*parts[0]);
  for (std::size_t k = 1; k < parts.size(); ++k) h += *parts[k];  // in shard order: reproducible
  return h;
}

Eigen::MatrixXd ModelObjective::hessian(const Eigen::VectorXd& x) {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  // A GLM's Hessian in one pass over the rows; any other model's by p forward-over-reverse sweeps.
  try {
    if (std::optional<Eigen::MatrixXd> h = glm_hessian(x)) return scale * *h;
  } catch (const std::domain_error&) {
    return Eigen::MatrixXd::Constant(x.size(), x.size(), kNaN);
  }
  if (!shards_.empty()) {
    std::vector<Eigen::MatrixXd> parts(shards_.size());
    parallel_for(shards_.size(), [&](std::size_t k) {
      try {
        auto f = [&](const std::vector<HVar>& theta) { return scale * model_.log_likelihood(theta, shards_[k]); };
        parts[k] = tapegrad::hessian(f, x);
      } catch (const std::domain_error&) {
        parts[k] = Eigen::MatrixXd::Constant(x.size(), x.size(), kNaN);
      }
    });
    Eigen::MatrixXd h = std::move(parts[0]);
    for (std::size_t k = 1; k < parts.size(); ++k) h += parts[k];
    return h;
  }
  try {
    auto f = [&](const std::vector<HVar>& theta) { return scale * model_.log_likelihood(theta, data_); };
    return tapegrad::hessian(f, x);
  } catch (const std::domain_error&) {
    return Eigen::MatrixXd::Constant(x.size(), x.size(), kNaN);
  }
}

}  // namespace tapegrad::models
