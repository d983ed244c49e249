#pragma once
// A fit spread over processes (MPI ranks). With IID data the log-likelihood is a sum over
// observations, so each rank reads only its own rows, evaluates its part of the sum, and the
// parts are added across ranks. Every rank runs the same optimizer on the same summed numbers,
// so every rank takes the same steps; rank 0 reports. A rank may hold no rows (more ranks than
// rows): it adds nothing to the sums.
//
// Communication per objective evaluation: p + 2 doubles summed (the value, p gradient entries
// and the ranks' stop requests), and one flag; per Hessian, p^2 + 1 doubles. `bytes_summed` counts what this rank sent, for scaling estimates.
#include <Eigen/Core>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tapegrad/models/optimizer.hpp"

namespace tapegrad::models {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Sums data[0..n) over the ranks, in place. Every rank receives the same bits (summed on rank
  // 0 in rank order, then broadcast), which keeps the ranks' optimizers in lockstep.
  virtual void sum(double* data, std::size_t n) = 0;
  // Rank 0's data[0..n) to every rank.
  virtual void broadcast(double* data, std::size_t n) = 0;
  // Every rank calls this with its own error ("" for none). If any rank has one, every rank
  // throws: InputError when that rank's error was bad input, std::runtime_error otherwise,
  // with the message of the lowest failing rank ("rank r: ..."). Never hangs on a failure.
  virtual void agree(const std::string& error, bool input_error) = 0;
  // Every rank's `mine`, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& mine) = 0;
  std::size_t bytes_summed = 0;
};

// The MPI communicator when tapegrad was built with MPI and this process was started by mpirun
// (or another MPI launcher) with more than one rank; nullptr otherwise (a plain run).
// Initialises MPI on first call; MPI is finalised when the returned object is destroyed.
std::unique_ptr<Communicator> mpi_communicator(int& argc, char**& argv);
// Whether this build can run under mpirun.
bool built_with_mpi();

// Runs `body` on this rank, then every rank learns whether any rank's body threw, and all throw
// together (Communicator::agree) with the first failing rank's message.
void on_every_rank(Communicator& comm, const std::function<void()>& body);

// The objective summed over the ranks: `local` is this rank's mean negative log-likelihood over
// its `local_rows` rows; the result is the mean over all `total_rows`.
class DistributedObjective final : public Objective {
 public:
  DistributedObjective(Objective& local, Communicator& comm, std::size_t local_rows, std::size_t total_rows)
      : local_(local), comm_(comm), weight_(static_cast<double>(local_rows) / static_cast<double>(total_rows)),
        total_(total_rows) {}
  Eigen::Index dimension() const override { return local_.dimension(); }
  std::size_t observations() const override { return total_; }
  double value_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) override;
  // Mini-batches over ranks are not supported (fit refuses adam and sgd under mpirun).
  double batch_value_gradient(const Eigen::VectorXd& x, const std::vector<std::size_t>& rows,
                              Eigen::VectorXd& g) override;
  Eigen::MatrixXd hessian(const Eigen::VectorXd& x) override;
  // The stop request as all ranks agreed on it at the last sum (the same on every rank).
  bool should_stop() const override { return stop_; }

 private:
  void agree_on_stop(double requests);
  Objective& local_;
  Communicator& comm_;
  double weight_;
  std::size_t total_;
  bool stop_ = false;
};

}  // namespace tapegrad::models
