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

// The densities refuse a NaN mean or rate (std::domain_error): this parameter value is outside
// the model's reach, so the value, gradient and Hessian are NaN, which the optimizers treat as
// "too far".
template <class F>
GradientResult gradient_or_nan(const F& f, const Eigen::VectorXd& x) {
  try {
    return gradient(f, x);
  } catch (const std::domain_error&) {
    return {kNaN, Eigen::VectorXd::Constant(x.size(), kNaN)};
  }
}
void add_into(GradientResult& total, const GradientResult& part) { tapegrad::detail::add_into(total, part); }
void add_into(Eigen::VectorXd& total, const Eigen::VectorXd& part) { total += part; }
// A piece's one-pass Hessian (Model::glm_hessian), if its model has one: then every piece has.
struct OnePassHessian {
  Eigen::MatrixXd h;
  bool available = false;
};
void add_into(OnePassHessian& total, const OnePassHessian& part) {
  total.available = total.available && part.available;
  if (total.available) total.h += part.h;
}

}  // namespace

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

template <class T, class Part>
T ModelObjective::sum_over_pieces(const Part& part) const {
  if (shards_.empty()) return part(data_);
  std::vector<T> parts(shards_.size());
  parallel_for(shards_.size(), [&](std::size_t k) { parts[k] = part(shards_[k]); });
  T total = std::move(parts[0]);
  for (std::size_t k = 1; k < parts.size(); ++k) add_into(total, parts[k]);  // in shard order: reproducible
  return total;
}

double ModelObjective::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  GradientResult r = sum_over_pieces<GradientResult>([&](const auto& rows) {
    return gradient_or_nan([&](const std::vector<Var>& theta) { return scale * model_.log_likelihood(theta, rows); }, x);
  });
  g = std::move(r.gradient);
  return r.value;
}

double ModelObjective::batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                                            Eigen::VectorXd& g) {
  if (rows.size() == data_.rows()) return value_gradient(x, g);
  const Dataset batch = data_.subset(rows);
  const double scale = -1.0 / static_cast<double>(batch.rows());
  GradientResult r =
      gradient_or_nan([&](const std::vector<Var>& theta) { return scale * model_.log_likelihood(theta, batch); }, x);
  g = std::move(r.gradient);
  return r.value;
}

Eigen::MatrixXd ModelObjective::hessian(const Eigen::VectorXd& x) {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  // A GLM's Hessian in one pass over the rows; any other model's by p forward-over-reverse sweeps.
  try {
    const OnePassHessian one_pass = sum_over_pieces<OnePassHessian>([&](const auto& rows) {
      std::optional<Eigen::MatrixXd> h = model_.glm_hessian(x, rows);
      return h ? OnePassHessian{std::move(*h), true} : OnePassHessian{};
    });
    if (one_pass.available) return scale * one_pass.h;
  } catch (const std::domain_error&) {
    return Eigen::MatrixXd::Constant(x.size(), x.size(), kNaN);
  }
  // One forward-over-reverse sweep per column, summed over the shards; a stop request is
  // honoured between two columns, so an interrupt waits for one column, not the whole Hessian.
  const Eigen::Index p = x.size();
  Eigen::MatrixXd h(p, p);
  Eigen::VectorXd unit = Eigen::VectorXd::Zero(p);
  try {
    for (Eigen::Index j = 0; j < p; ++j) {
      if (should_stop()) throw StopRequested();
      unit[j] = 1;
      h.col(j) = sum_over_pieces<Eigen::VectorXd>([&](const auto& rows) {
        return tapegrad::hessian_vector([&](const std::vector<HVar>& theta) { return scale * model_.log_likelihood(theta, rows); },
                              x, unit);
      });
      unit[j] = 0;
    }
  } catch (const std::domain_error&) {
    return Eigen::MatrixXd::Constant(p, p, kNaN);
  }
  return 0.5 * (h + h.transpose());  // symmetric to rounding; exactly so for the solvers
}

Eigen::VectorXd ModelObjective::hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  const double scale = -1.0 / static_cast<double>(data_.rows());
  return sum_over_pieces<Eigen::VectorXd>([&](const auto& rows) -> Eigen::VectorXd {
    try {
      return tapegrad::hessian_vector(
          [&](const std::vector<HVar>& theta) { return scale * model_.log_likelihood(theta, rows); }, x, v);
    } catch (const std::domain_error&) {
      return Eigen::VectorXd::Constant(x.size(), kNaN);
    }
  });
}

}  // namespace tapegrad::models
