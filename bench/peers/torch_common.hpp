#pragma once
// LibTorch views of the shared Eigen data (no copies: column-major X is an n x d tensor with
// strides (1, n), which BLAS takes as a transposed operand) and its single-thread setup.

#include <torch/torch.h>

#include <Eigen/Core>

namespace peers {

inline torch::Tensor torch_view(const Eigen::MatrixXd& m) {
  return torch::from_blob(const_cast<double*>(m.data()), {m.rows(), m.cols()}, {1, m.rows()}, torch::kFloat64);
}
inline torch::Tensor torch_view(const Eigen::VectorXd& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {v.size()}, torch::kFloat64);
}
inline torch::Tensor torch_labels(const Eigen::VectorXi& y) {
  torch::Tensor t = torch::empty({y.size()}, torch::kInt64);
  auto* out = t.data_ptr<int64_t>();
  for (Eigen::Index i = 0; i < y.size(); ++i) out[i] = y[i];
  return t;
}
inline Eigen::MatrixXd to_eigen(const torch::Tensor& t) {  // flattened, as a column
  const torch::Tensor c = t.detach().contiguous().reshape({-1});
  return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel());
}

// Once, before anything else runs: one intra-op and one inter-op thread.
inline void torch_single_thread() {
  static const bool done = [] {
    torch::set_num_threads(1);
    at::set_num_interop_threads(1);
    return true;
  }();
  (void)done;
}

}  // namespace peers
