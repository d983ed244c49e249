#!/usr/bin/env bash
# Times compiling a user's likelihood file (bench/compile_time_user.cpp) at -O2: the public
# header, one likelihood, gradient and Hessian. Median of 3 runs. Target: <= 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${CXX:-g++}
times=()
for run in 1 2 3; do
  start=$(date +%s%N)
  "$cxx" -std=c++17 -O2 -I autodiff/include -I /usr/include/eigen3 -c bench/compile_time_user.cpp -o /dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
done
median_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
printf 'compile time of a user likelihood file at -O2 (%s): %d.%02d s (median of 3; target <= 5 s)\n' \
  "$cxx" $((median_ms / 1000)) $(((median_ms % 1000) / 10))
