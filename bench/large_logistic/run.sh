#!/usr/bin/env bash
# Scale check: `tapegrad fit` on a generated logistic regression of N rows x 20 features.
#
#   bash bench/large_logistic/run.sh [N]        # N defaults to 1000000
#
# Builds the generator (g++ -O2) and the tapegrad target (Release, in <repo>/build), writes
# large.csv next to config.json if it is missing or has another number of rows, runs
# `/usr/bin/time -v tapegrad fit config.json` and prints the CSV size, the data's bytes
# (N x 21 x 8), the peak resident memory, their ratio, tapegrad's load/fit/standard-error seconds
# and the wall time. Exits 1 if peak RSS / data bytes exceeds MAX_RATIO (default 2.5).
set -euo pipefail

N="${1:-1000000}"
MAX_RATIO="${MAX_RATIO:-2.5}"
if ! [[ "$N" =~ ^[1-9][0-9]*$ ]]; then
  echo "run.sh: N must be a positive integer, found '$N'" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
BUILD="$REPO/build"
CSV="$HERE/large.csv"
GENERATOR="$BUILD/bench_large_logistic_generate"

# /usr/bin/time (Debian package "time"; the shell keyword `time` has no -v).
if [[ ! -x /usr/bin/time ]]; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "== installing /usr/bin/time (apt-get install time)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  else
    echo "run.sh: /usr/bin/time is missing; install it (as root: apt-get install time)" >&2
    exit 2
  fi
fi

echo "== building tapegrad (Release) in $BUILD"
cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target tapegrad
TAPEGRAD="$BUILD/cli/tapegrad"

echo "== building the generator"
mkdir -p "$BUILD"
if [[ ! -x "$GENERATOR" || "$HERE/generate.cpp" -nt "$GENERATOR" ]]; then
  g++ -std=c++17 -O2 -Wall -Wextra "$HERE/generate.cpp" -o "$GENERATOR"
fi

have_rows=-1
if [[ -f "$CSV" ]]; then
  have_rows=$(($(wc -l <"$CSV") - 1))
fi
if [[ "$have_rows" -ne "$N" ]]; then
  if [[ "$have_rows" -ge 0 ]]; then
    echo "== $CSV has $have_rows rows, not $N: generating it again"
  else
    echo "== generating $CSV ($N rows)"
  fi
  gen_start=$(date +%s.%N)
  "$GENERATOR" "$N" "$CSV"
  awk -v a="$gen_start" -v b="$(date +%s.%N)" 'BEGIN {printf "generated in %.1f s\n", b - a}'
else
  echo "== reusing $CSV ($N rows)"
fi

LOG="$(mktemp)"
TIMES="$(mktemp)"
trap 'rm -f "$LOG" "$TIMES"' EXIT

echo "== tapegrad fit config.json"
cd "$HERE"
status=0
/usr/bin/time -v -o "$TIMES" "$TAPEGRAD" fit config.json | tee "$LOG" || status=$?
if [[ "$status" -ne 0 ]]; then
  echo "run.sh: tapegrad fit failed (exit status $status)" >&2
  cat "$TIMES" >&2
  exit "$status"
fi

csv_bytes=$(stat -c %s "$CSV")
data_bytes=$((N * 21 * 8))
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMES")
rss_bytes=$((rss_kb * 1024))
wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$TIMES")
user_s=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$TIMES")
sys_s=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$TIMES")
# "time: load 1.23 s, fit 4.56 s, standard errors 7.89 s"
time_line=$(grep -E '^time: ' "$LOG" | tail -n 1 || true)
load_s=$(sed -nE 's/.*load ([^ ]+) s.*/\1/p' <<<"$time_line")
fit_s=$(sed -nE 's/.*fit ([^ ]+) s.*/\1/p' <<<"$time_line")
se_s=$(sed -nE 's/.*standard errors ([^ ]+) s.*/\1/p' <<<"$time_line")
ratio=$(awk -v r="$rss_bytes" -v d="$data_bytes" 'BEGIN {printf "%.2f", r / d}')

echo
echo "== large_logistic, N = $N"
awk -v b="$csv_bytes" 'BEGIN {printf "CSV size:               %.1f MB (%d bytes)\n", b / 1e6, b}'
awk -v b="$data_bytes" 'BEGIN {printf "data bytes (N x 21 x 8): %.1f MB\n", b / 1e6}'
awk -v b="$rss_bytes" 'BEGIN {printf "peak RSS:               %.1f MB\n", b / 1e6}'
echo "peak RSS / data bytes:  $ratio (limit $MAX_RATIO)"
echo "load:                   ${load_s:-?} s"
echo "fit:                    ${fit_s:-?} s"
echo "standard errors:        ${se_s:-?} s"
echo "total wall time:        $wall (user ${user_s} s, system ${sys_s} s)"

if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {exit !(r > m)}'; then
  echo "FAIL: peak RSS is $ratio x the data's bytes (limit $MAX_RATIO)" >&2
  exit 1
fi
echo "OK"
