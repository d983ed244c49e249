#include "tapegrad/models/distributed.hpp"

#include <stdexcept>
#include <vector>

#include "tapegrad/models/errors.hpp"

namespace tapegrad::models {

void on_every_rank(Communicator& comm, const std::function<void()>& body) {
  std::string error;
  bool input = false;
  try {
    body();
  } catch (const InputError& e) {
    error = e.what();
    input = true;
  } catch (const std::exception& e) {
    error = e.what();
  }
  comm.agree(error, input);
}

double DistributedObjective::value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  std::vector<double> buffer(static_cast<std::size_t>(x.size()) + 1);
  on_every_rank(comm_, [&] {
    if (weight_ == 0) return;  // a rank with no rows adds nothing (its own mean is 0 / 0)
    Eigen::VectorXd local_g;
    buffer[0] = weight_ * local_.value_gradient(x, local_g);
    for (Eigen::Index j = 0; j < x.size(); ++j) buffer[static_cast<std::size_t>(j) + 1] = weight_ * local_g[j];
  });
  comm_.sum(buffer.data(), buffer.size());
  g = Eigen::Map<const Eigen::VectorXd>(buffer.data() + 1, x.size());
  return buffer[0];
}

double DistributedObjective::batch_value_gradient(const Eigen::VectorXd&, const std::vector<std::size_t>&,
                                                  Eigen::VectorXd&) {
  throw std::logic_error("mini-batches are not split across processes (use lbfgs or newton under mpirun)");
}

Eigen::MatrixXd DistributedObjective::hessian(const Eigen::VectorXd& x) {
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(x.size(), x.size());
  on_every_rank(comm_, [&] {
    if (weight_ != 0) h = weight_ * local_.hessian(x);
  });
  comm_.sum(h.data(), static_cast<std::size_t>(h.size()));
  return h;
}

}  // namespace tapegrad::models
