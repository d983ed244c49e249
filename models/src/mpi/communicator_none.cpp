// Built when MPI is not found: every run is a single process.
#include "tapegrad/models/distributed.hpp"

namespace tapegrad::models {

std::unique_ptr<Communicator> mpi_communicator(int&, char**&) { return nullptr; }
bool built_with_mpi() { return false; }

}  // namespace tapegrad::models
