#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan on everything, in build-fuzz/) and runs each
# for SECONDS (default 60), all at once, from a fresh copy of its seed corpus. Prints, per target, the inputs
# executed, the final corpus size and whether it found anything; exits non-zero if any did.
#   bash tests/fuzz/run.sh [SECONDS]
# A finding is saved under build-fuzz/fuzz/findings/<target>/; replay it with
#   build-fuzz/tests/fuzz/<target> FILE
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
build=build-fuzz
work="$build/fuzz"
targets=(config_fuzzer csv_fuzzer results_json_fuzzer fit_fuzzer)

if ! command -v clang++ >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y clang; else echo "run.sh: needs clang++ (apt-get install clang)" >&2; exit 2; fi
fi

# TAPEGRAD_FUZZ_BUILD: an already configured fuzzer build to use (scripts/test.sh's build-asan).
if [[ -n "${TAPEGRAD_FUZZ_BUILD:-}" ]]; then
  build="$TAPEGRAD_FUZZ_BUILD"
  work="$build/fuzz"
else
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAPEGRAD_BUILD_FUZZERS=ON \
    -DTAPEGRAD_BUILD_TESTS=OFF -DTAPEGRAD_BUILD_EXAMPLES=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target tapegrad_fuzzers

# Seeds: every example config and every bad config of the config tests; every example CSV,
# once per request shape (the first byte picks it); none for results.json (the target builds
# its results from raw bytes, and libFuzzer starts from the empty input) nor for the whole fit
# (any bytes decode to an experiment: the empty input is a valid one).
rm -rf "$work"
mkdir -p "$work"/seeds/{config_fuzzer,csv_fuzzer,results_json_fuzzer,fit_fuzzer}
for config in examples/*/config.json; do cp "$config" "$work/seeds/config_fuzzer/example_$(basename "$(dirname "$config")").json"; done
python3 tests/fuzz/bad_configs.py tests/models/config_test.cpp "$work/seeds/config_fuzzer" >/dev/null
for csv in examples/data/*.csv; do
  for shape in 0 1 2 3 4; do
    { printf "\\x0$shape"; cat "$csv"; } >"$work/seeds/csv_fuzzer/shape${shape}_$(basename "$csv")"
  done
done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# The targets run side by side, each for the full time (on 2 cores, each gets about half a
# core): CI's time budget is wall-clock, and four in a row would take four times as long.
pids=()
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  findings="$work/findings/$target"
  mkdir -p "$corpus" "$findings"
  cp "$work/seeds/$target"/. "$corpus"/ -r
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" >"$work/$target.log" 2>&1 &
  pids+=($!)
done
found=0
report=()
for i in "${!targets[@]}"; do
  target="${targets[$i]}"
  log="$work/$target.log"
  status=0
  wait "${pids[$i]}" || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  size=$(find "$work/corpus/$target" -type f | wc -l)
  if [[ $status -eq 0 ]]; then
    verdict="nothing found"
  else
    verdict="FOUND: $(find "$work/findings/$target" -type f | head -n 1) (log: $log)"
    found=1
  fi
  report+=("$(printf '%-22s %12s executions  %6s inputs in corpus  %s' "$target" "${runs:-?}" "$size" "$verdict")")
done

echo
echo "fuzzing, ${seconds} s per target:"
printf '  %s\n' "${report[@]}"
exit "$found"
