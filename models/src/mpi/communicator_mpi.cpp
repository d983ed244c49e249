// The MPI communicator (built when CMake finds MPI). MPI is only initialised when a launcher
// started this process with more than one rank, so a plain `tapegrad fit` never touches MPI.
#include <mpi.h>

#include <cstdlib>
#include <limits>
#include <string>
#include <stdexcept>
#include <vector>

#include "tapegrad/models/distributed.hpp"
#include "tapegrad/models/errors.hpp"

namespace tapegrad::models {

namespace {

// The world size the launcher announces, or 0 when not started by one.
int launcher_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"})
    if (const char* v = std::getenv(name)) return std::atoi(v);
  return 0;
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override { MPI_Finalize(); }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void sum(double* data, std::size_t n) override {
    // Gathered to rank 0 and added there in rank order, then broadcast: MPI_Allreduce does not
    // promise the same bits on every rank, and ranks that disagree by one bit can take
    // different line-search branches and deadlock.
    std::vector<double> all(rank_ == 0 ? n * static_cast<std::size_t>(size_) : 0);
    MPI_Gather(data, static_cast<int>(n), MPI_DOUBLE, all.data(), static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank_ == 0)
      for (int r = 1; r < size_; ++r)
        for (std::size_t i = 0; i < n; ++i) data[i] += all[static_cast<std::size_t>(r) * n + i];
    MPI_Bcast(data, static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    bytes_summed += n * sizeof(double);
  }

  void broadcast(double* data, std::size_t n) override {
    MPI_Bcast(data, static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  }

  void agree(const std::string& error, bool input_error) override {
    // The lowest failing rank (size_ when none), then its message and kind from that rank.
    const int mine = error.empty() ? size_ : rank_;
    int failing = size_;
    MPI_Allreduce(&mine, &failing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (failing == size_) return;
    int header[2] = {static_cast<int>(error.size()), input_error ? 1 : 0};
    MPI_Bcast(header, 2, MPI_INT, failing, MPI_COMM_WORLD);
    std::string message = rank_ == failing ? error : std::string(static_cast<std::size_t>(header[0]), '\0');
    MPI_Bcast(message.data(), header[0], MPI_CHAR, failing, MPI_COMM_WORLD);
    message = "rank " + std::to_string(failing) + ": " + message;
    if (header[1]) throw InputError(message);
    throw std::runtime_error(message);
  }

  std::vector<std::string> all_gather(const std::string& mine) override {
    // The lengths first, then the bytes at their offsets (counts are ints: 2 GiB in all at most).
    const int size = static_cast<int>(mine.size());
    std::vector<int> sizes(static_cast<std::size_t>(size_)), offsets(static_cast<std::size_t>(size_));
    MPI_Allgather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += sizes[static_cast<std::size_t>(r)];
    }
    if (total > std::numeric_limits<int>::max())
      throw std::runtime_error("all_gather: more than 2 GiB to gather across the ranks");
    std::string all(static_cast<std::size_t>(total), '\0');
    MPI_Allgatherv(mine.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
    std::vector<std::string> out;
    for (int r = 0; r < size_; ++r)
      out.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                               static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
    return out;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> mpi_communicator(int& argc, char**& argv) {
  if (launcher_size() <= 1) return nullptr;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(&argc, &argv);
  auto comm = std::make_unique<MpiCommunicator>();
  if (comm->size() <= 1) return nullptr;
  return comm;
}

bool built_with_mpi() { return true; }

}  // namespace tapegrad::models
