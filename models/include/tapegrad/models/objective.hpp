#pragma once
// The mean negative log-likelihood of a model over a data set, as the optimizers see it:
// f(theta) = -(1/n) sum_i log p(y_i | x_i, theta). The mean keeps the gradient tolerance
// independent of n; reports multiply back to the total.
//
// With threads > 1 the full-data value, gradient and Hessian are sums over contiguous shards of
// the rows, each recorded on its own thread's tape and added in shard order: bitwise identical
// for a given shard count. Mini-batches (adam, sgd) are evaluated on the calling thread.
#include "tapegrad/models/dataset.hpp"
#include "tapegrad/models/model.hpp"
#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

// Rows per shard below which another thread costs more than it saves.
constexpr std::size_t kMinRowsPerShard = 256;
// The shard count for `rows` rows on `threads` threads (0: every hardware thread).
std::size_t shard_count(std::size_t rows, std::size_t threads);

class ModelObjective final : public Objective {
 public:
  ModelObjective(const Model& model, const Dataset& data, std::size_t threads = 1);
  std::size_t shards() const { return shards_.empty() ? 1 : shards_.size(); }
  Eigen::Index dimension() const override { return static_cast<Eigen::Index>(model_.parameter_count()); }
  std::size_t observations() const override { return data_.rows(); }
  // A parameter value the model cannot be evaluated at (a NaN or infinite output) gives a
  // NaN value and gradient, which the optimizers treat as "too far", never as a result.
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override;
  double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                              Eigen::VectorXd& g) override;
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override;
  // Exact, forward-over-reverse: one dual recording and sweep per piece (no p x p matrix).
  Eigen::VectorXd hessian_vector(const Eigen::VectorXd& x, const Eigen::VectorXd& v) override;

 private:
  // part(rows) on the whole data set (a Dataset), or on every shard (a DataShard) concurrently
  // with the parts added in shard order, so the sum is reproducible.
  template <class T, class Part>
  T sum_over_pieces(const Part& part) const;

  const Model& model_;
  const Dataset& data_;
  std::vector<DataShard> shards_;  // empty: one piece, the whole data set
};

}  // namespace tapegrad::models
