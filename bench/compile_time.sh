#!/usr/bin/env bash
# Times compiling a user's likelihood file (bench/compile_time_user.cpp) at -O2: the public
# header, one likelihood, gradient and Hessian. Median of 3 runs, in seconds. Target: <= 5 s.
#   bash bench/compile_time.sh            (CXX=clang++ bash bench/compile_time.sh for another compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${CXX:-g++}
eigen=$(pkg-config --cflags eigen3 2>/dev/null || echo "-I/usr/include/eigen3")
times=()
for run in 1 2 3; do
  start=$(date +%s%N)
  # shellcheck disable=SC2086  # $eigen is one or more flags
  "$cxx" -std=c++17 -O2 -I autodiff/include $eigen -c bench/compile_time_user.cpp -o /dev/null
  end=$(date +%s%N)
  times+=($(((end - start) / 1000000)))
done
median_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
verdict=$([ "$median_ms" -le 5000 ] && echo met || echo MISSED)
printf 'compile time of a user likelihood file at -O2 (%s): %d.%02d s (median of 3; target <= 5 s: %s)\n' \
  "$cxx" $((median_ms / 1000)) $(((median_ms % 1000) / 10)) "$verdict"
