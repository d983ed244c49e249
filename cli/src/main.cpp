#include <iostream>

#include "tapegrad/cli/app.hpp"
#include "tapegrad/models/distributed.hpp"

int main(int argc, char** argv) {
  // A communicator only when an MPI launcher started several ranks of this program.
  auto communicator = tapegrad::models::mpi_communicator(argc, argv);
  return tapegrad::cli::run(argc, argv, std::cout, std::cerr, communicator.get());
}
