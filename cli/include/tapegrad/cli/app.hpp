#pragma once
// The `tapegrad` command as a function, so tests can run it without a process:
//   tapegrad fit CONFIG [--output DIR] [--quiet] [--no-plot]
//   tapegrad check CONFIG [--points N] [--seed S]
// Exit status: 0 success; 1 the fit or check failed; 2 bad input (config, data, arguments,
// paths, limits, out of memory). The whole rule is in app.cpp's header comment.
// Under mpirun (a communicator of several ranks) `fit` is distributed: every rank reads its own
// rows; rank 0 prints and writes the outputs, the other ranks stay silent but for errors.
// `check` runs on rank 0 alone; every rank exits with its status.
#include <ostream>

namespace tapegrad::models {
class Communicator;
}

namespace tapegrad::cli {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
        models::Communicator* communicator = nullptr);

}  // namespace tapegrad::cli
