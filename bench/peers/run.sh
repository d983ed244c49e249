#!/usr/bin/env bash
# Peer-library benchmarks in one run: configures build-peers (Release, the peers option on),
# builds the two programs, runs the side-by-side table (5 repetitions unless told otherwise;
# any --benchmark_* flag passes through) and the peak-memory program.
#   bash bench/peers/run.sh [--benchmark_repetitions=N] [--benchmark_filter=REGEX]
set -euo pipefail
cd "$(dirname "$0")/../.."
# The peers, from Debian's packages (a peer that cannot be installed is skipped by CMake).
TAPEGRAD_DEPS_EXTRA="libtorch-dev libadolc-dev libtrilinos-sacado-dev libtrilinos-kokkos-dev" \
  bash scripts/install-deps.sh || echo "run.sh: some peer packages could not be installed; those peers are skipped"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build-peers "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DTAPEGRAD_BUILD_PEER_BENCHMARKS=ON \
  -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-peers -j2 --target bench_peers bench_peers_rss
# One thread for every BLAS and OpenMP runtime, read when the libraries load.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
build-peers/bench/peers/bench_peers "$@"
echo
build-peers/bench/peers/bench_peers_rss
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
