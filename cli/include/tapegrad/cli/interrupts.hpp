#pragma once
// What a SIGINT or SIGTERM does to `tapegrad fit`, by what the run is doing. The rule: a
// finished fit is never lost, and a file is never left half-written.
//   loading          nothing is fitted yet: exit at once (128 + signal); no output is touched.
//   fitting          the first signal asks the optimizer to stop after its current iteration
//                    (under mpirun every rank stops at the same one); the best parameters so far
//                    are written, marked interrupted; exit 1. A second signal exits at once
//                    (128 + signal), for a fit stuck in one long iteration: nothing is written,
//                    the previous outputs stay as they were.
//   estimated        the optimizer has finished: the first signal stops the standard errors
//                    between two Hessian columns and the estimate is written without them,
//                    marked interrupted (exit 1). A second signal does not lose the fit either:
//                    it is written, then the program exits with 128 + signal.
//   writing          signals wait until every file is renamed into place (or none is); then the
//                    program exits with 128 + signal.
// A signal less than a second after the first counts as the same one: one Ctrl-C can arrive
// twice (from the terminal and from mpirun or `timeout`, which signal a process and its group).
#include <cstdint>

namespace tapegrad::cli {

enum class RunPhase : int { loading, fitting, estimated, writing };

enum class InterruptAction : int {
  exit_now,            // _exit(128 + signal)
  stop,                // request a stop; the run writes what it has and exits 1
  stop_and_exit_later, // request a stop; exit with 128 + signal once the files are written
  exit_later,          // exit with 128 + signal once the files are written
  ignore,              // the same interrupt delivered twice
};

// `first_ns`: monotonic nanoseconds of the first signal of this run (0: this is the first);
// `now_ns`: of this one. Pure and async-signal-safe: the signal handler calls it.
constexpr InterruptAction on_interrupt(RunPhase phase, std::int64_t first_ns, std::int64_t now_ns) {
  if (phase == RunPhase::loading) return InterruptAction::exit_now;
  if (first_ns == 0) return phase == RunPhase::writing ? InterruptAction::stop_and_exit_later : InterruptAction::stop;
  if (now_ns - first_ns < 1000000000) return InterruptAction::ignore;
  return phase == RunPhase::fitting ? InterruptAction::exit_now : InterruptAction::exit_later;
}

}  // namespace tapegrad::cli
