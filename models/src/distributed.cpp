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
  // [value, gradient..., stop]: the stop requests travel with the sums, so all ranks learn of
  // a signal that reached any of them at the same evaluation.
  const std::size_t p = static_cast<std::size_t>(x.size());
  std::vector<double> buffer(p + 2);
  on_every_rank(comm_, [&] {
    if (weight_ == 0) return;  // a rank with no rows adds nothing (its own mean is 0 / 0)
    Eigen::VectorXd local_g;
    buffer[0] = weight_ * local_.value_gradient(x, local_g);
    for (Eigen::Index j = 0; j < x.size(); ++j) buffer[static_cast<std::size_t>(j) + 1] = weight_ * local_g[j];
  });
  buffer[p + 1] = stop_requested() ? 1 : 0;
  comm_.sum(buffer.data(), buffer.size());
  agree_on_stop(buffer[p + 1]);
  g = Eigen::Map<const Eigen::VectorXd>(buffer.data() + 1, x.size());
  return buffer[0];
}

void DistributedObjective::agree_on_stop(double requests) {
  if (requests > 0) {
    stop_ = true;
    request_stop();  // this rank's own loops (a Hessian's columns) stop too
  }
}

double DistributedObjective::batch_value_gradient(const Eigen::VectorXd&, const std::vector<std::size_t>&,
                                                  Eigen::VectorXd&) {
  throw std::logic_error("mini-batches are not split across processes (use lbfgs or newton under mpirun)");
}

Eigen::MatrixXd DistributedObjective::hessian(const Eigen::VectorXd& x) {
  // A rank whose Hessian stopped between columns (StopRequested) still takes part in the sum,
  // with its stop request in the last slot: then every rank throws StopRequested together.
  const Eigen::Index p = x.size();
  std::vector<double> buffer(static_cast<std::size_t>(p * p) + 1, 0.0);
  on_every_rank(comm_, [&] {
    try {
      // A rank with no rows adds nothing (its own mean is 0 / 0).
      if (weight_ != 0) Eigen::Map<Eigen::MatrixXd>(buffer.data(), p, p) = weight_ * local_.hessian(x);
    } catch (const StopRequested&) {
    }
  });
  buffer.back() = stop_requested() ? 1 : 0;
  comm_.sum(buffer.data(), buffer.size());
  agree_on_stop(buffer.back());
  if (stop_) throw StopRequested();
  return Eigen::Map<const Eigen::MatrixXd>(buffer.data(), p, p);
}

}  // namespace tapegrad::models
