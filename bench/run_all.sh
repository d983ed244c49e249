#!/usr/bin/env bash
# Builds and runs every benchmark; each program prints its ratios of medians from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_BENCHMARKS=ON \
  -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j "$(nproc)"
build-bench/bench/bench_scalar_student_t "$@"
build-bench/bench/bench_logistic_regression "$@"
bash bench/compile_time.sh
