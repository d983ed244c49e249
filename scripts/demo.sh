#!/usr/bin/env bash
# The main job: installs the build dependencies (Debian, as root), configures, builds the command
# and the example programs, and fits the flagship example (logistic regression of mtcars' am on
# wt and hp), printing its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target tapegrad tapegrad_examples
build/cli/tapegrad fit examples/mtcars_logistic/config.json
