#include "tapegrad/models/dataset.hpp"

namespace tapegrad::models {

Dataset Dataset::subset(const std::vector<std::size_t>& rows) const {
  Dataset out;
  const auto n = static_cast<Eigen::Index>(rows.size());
  out.features.resize(n, features.cols());
  out.target.resize(target.size() ? n : 0);
  out.labels.resize(labels.size() ? n : 0);
  const bool with_features = features.cols() > 0;  // a row of a 0-column matrix is UB to Eigen's pointers
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto r = static_cast<Eigen::Index>(rows[static_cast<std::size_t>(i)]);
    if (with_features) out.features.row(i) = features.row(r);
    if (target.size()) out.target[i] = target[r];
    if (labels.size()) out.labels[i] = labels[r];
  }
  out.class_names = class_names;
  out.feature_names = feature_names;
  out.target_name = target_name;
  out.source = source;
  return out;
}

DataShard make_shard(const Dataset& data, std::size_t begin, std::size_t end) {
  const auto b = static_cast<Eigen::Index>(begin), count = static_cast<Eigen::Index>(end - begin);
  DataShard shard{data_rows(data.features, b, count), {}, begin, end};
  Dataset& rows = shard.rows;
  rows.features.resize(count, 0);
  if (data.target.size()) rows.target = data.target.segment(b, count);
  if (data.labels.size()) rows.labels = data.labels.segment(b, count);
  rows.class_names = data.class_names;
  rows.feature_names = data.feature_names;
  rows.target_name = data.target_name;
  rows.source = data.source;
  return shard;
}

std::size_t Dataset::bytes() const {
  return static_cast<std::size_t>(features.size() + target.size()) * sizeof(double) +
         static_cast<std::size_t>(labels.size()) * sizeof(int);
}

}  // namespace tapegrad::models
