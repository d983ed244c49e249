#!/usr/bin/env bash
# Installs the build dependencies (Debian, as root), configures, builds and runs every test:
#   bash scripts/test.sh             the whole suite, twice: a normal (Release) build in build/,
#                                    then an AddressSanitizer + UndefinedBehaviorSanitizer build
#                                    (clang) in build-asan/, whose fuzz targets then run 60 s each
#   bash scripts/test.sh --fast      the normal build only
#   bash scripts/test.sh --sanitize  the sanitizer build and the fuzzers only
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
case "$mode" in
  all | --fast | --sanitize) ;;
  *) echo "usage: bash scripts/test.sh [--fast | --sanitize]" >&2; exit 2 ;;
esac
started=$SECONDS

if [[ "$mode" != "--sanitize" ]]; then
  bash scripts/install-deps.sh
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build build -j "$(nproc)"
  ctest --test-dir build --output-on-failure -j "$(nproc)"
  echo "normal build and suite: $((SECONDS - started)) s"
fi

if [[ "$mode" != "--fast" ]]; then
  asan_started=$SECONDS
  TAPEGRAD_DEPS_EXTRA="clang libclang-rt-dev" bash scripts/install-deps.sh
  # One build serves the suite and the fuzzers: every library is compiled with ASan, UBSan and
  # libFuzzer's coverage instrumentation. -O1 -g1: quick to build, line numbers in reports.
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DTAPEGRAD_SANITIZE=ON -DTAPEGRAD_BUILD_FUZZERS=ON \
    -DTAPEGRAD_BUILD_EXAMPLES=OFF
  cmake --build build-asan -j "$(nproc)"
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
  echo "sanitizer build and suite: $((SECONDS - asan_started)) s"
  TAPEGRAD_FUZZ_BUILD=build-asan bash tests/fuzz/run.sh 60
fi
echo "scripts/test.sh $mode: $((SECONDS - started)) s"
