// Misuse of the tape gives a clear error, not a silent wrong gradient: a variable used after its
// tape was cleared or on another tape (checked builds: Debug and the sanitizer build), and a
// second seeded sweep without zeroing the adjoints (every build).
#include <catch2/catch.hpp>
#include <stdexcept>

#include "tapegrad/autodiff.hpp"

using Catch::Matchers::Contains;

TEST_CASE("a second seeded sweep without zero_adjoints is refused, backward() may be repeated", "[tape][misuse]") {
  tapegrad::ScopedTape tape;
  tapegrad::Var x = 2.0;
  tapegrad::Var y = x * x;
  tape.zero_adjoints();
  tape.adjoint(y.index()) = 1;
  tape.backward_seeded();
  CHECK(tape.adjoint(x.index()) == 4.0);
  CHECK_THROWS_WITH(tape.backward_seeded(), Contains("without zero_adjoints()"));
  CHECK(tape.adjoint(x.index()) == 4.0);  // untouched by the refused sweep
  tape.backward(y.index());  // zeroes first: the same, right, gradient
  tape.backward(y.index());
  CHECK(tape.adjoint(x.index()) == 4.0);
}

#if defined(TAPEGRAD_CHECKED)
TEST_CASE("checked build: a Var used after its tape was cleared is refused", "[tape][misuse]") {
  tapegrad::ScopedTape tape;
  tapegrad::Var x = 1.5;
  tape.clear();
  CHECK_THROWS_WITH(tapegrad::Var(x * 2.0), Contains("before its tape was cleared"));
  tapegrad::Var fresh = 1.5;  // recorded after the clear: fine
  CHECK(tapegrad::Var(fresh * 2.0).value() == 3.0);
}

TEST_CASE("checked build: a Var of one tape used on another is refused", "[tape][misuse]") {
  tapegrad::ScopedTape outer;
  tapegrad::Var x = 1.0;
  {
    tapegrad::ScopedTape inner;  // now the active tape
    CHECK_THROWS_WITH(tapegrad::Var(x + 1.0), Contains("a Var from another tape"));
  }
  CHECK(tapegrad::Var(x + 1.0).value() == 2.0);  // back on its own tape
}
#endif
