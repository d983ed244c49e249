#pragma once
// The `tapegrad` command as a function, so tests can run it without a process:
//   tapegrad fit CONFIG [--output DIR] [--quiet] [--no-plot]
//   tapegrad check CONFIG [--points N] [--seed S]
// Exit status: 0 success; 1 the fit or check failed; 2 bad input (config, data, arguments).
#include <ostream>

namespace tapegrad::cli {

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tapegrad::cli
