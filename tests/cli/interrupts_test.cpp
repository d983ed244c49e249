// The interrupt rules of `tapegrad fit` (tapegrad/cli/interrupts.hpp), phase by phase. The
// processes in interrupt_test.cpp check the first signal end to end; the second signal's
// timing (a Hessian column or an iteration longer than a second) is checked here.
#include <catch2/catch.hpp>

#include "tapegrad/cli/interrupts.hpp"

using tapegrad::cli::InterruptAction;
using tapegrad::cli::on_interrupt;
using tapegrad::cli::RunPhase;

namespace {
constexpr std::int64_t kSecond = 1000000000;
}

TEST_CASE("interrupts: while loading, any signal ends the run at once (nothing to write yet)", "[cli][interrupts]") {
  CHECK(on_interrupt(RunPhase::loading, 0, 5) == InterruptAction::exit_now);
  CHECK(on_interrupt(RunPhase::loading, 5, 5 + 3 * kSecond) == InterruptAction::exit_now);
}

TEST_CASE("interrupts: the first signal stops the fit or the standard errors, which then write", "[cli][interrupts]") {
  CHECK(on_interrupt(RunPhase::fitting, 0, 7) == InterruptAction::stop);
  CHECK(on_interrupt(RunPhase::estimated, 0, 7) == InterruptAction::stop);
  // While writing: the files are finished, then the program exits with the signal's status.
  CHECK(on_interrupt(RunPhase::writing, 0, 7) == InterruptAction::stop_and_exit_later);
}

TEST_CASE("interrupts: a second signal never loses a finished fit nor cuts a write", "[cli][interrupts]") {
  const std::int64_t first = 100 * kSecond;
  // Within a second: the same Ctrl-C delivered twice (terminal and mpirun or timeout).
  for (RunPhase phase : {RunPhase::fitting, RunPhase::estimated, RunPhase::writing})
    CHECK(on_interrupt(phase, first, first + kSecond / 2) == InterruptAction::ignore);
  const std::int64_t later = first + 2 * kSecond;
  CHECK(on_interrupt(RunPhase::fitting, first, later) == InterruptAction::exit_now);        // no fit yet: out
  CHECK(on_interrupt(RunPhase::estimated, first, later) == InterruptAction::exit_later);    // the fit is written
  CHECK(on_interrupt(RunPhase::writing, first, later) == InterruptAction::exit_later);      // the renames finish
}
