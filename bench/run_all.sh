#!/usr/bin/env bash
# Builds and runs every benchmark (Release: -O3 -DNDEBUG, no -march); each program prints its
# ratios of medians from one run. Extra arguments go to both programs (Google Benchmark flags,
# e.g. --benchmark_repetitions=9). Builds only the benchmark targets; tests keep their setting.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build-bench -j 2 --target bench_scalar_student_t bench_logistic_regression bench_linear_regression bench_csv_read
build-bench/bench/bench_scalar_student_t "$@"
build-bench/bench/bench_logistic_regression "$@"
build-bench/bench/bench_linear_regression "$@"
build-bench/bench/bench_csv_read "$@"
bash bench/compile_time.sh
