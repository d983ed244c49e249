#!/usr/bin/env bash
# The main job: installs the build dependencies (Debian, as root), configures, builds, and runs
# the flagship example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target student_t_gradient
build/examples/student_t_gradient
