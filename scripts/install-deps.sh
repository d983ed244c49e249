#!/usr/bin/env bash
# Installs what tapegrad builds with, from Debian's packages, when it is missing.
set -euo pipefail
packages=(cmake ninja-build g++ libeigen3-dev nlohmann-json3-dev libcsv-dev libcli11-dev catch2 libbenchmark-dev openmpi-bin libopenmpi-dev)
# TAPEGRAD_DEPS_EXTRA: more packages for one job (the sanitizer build's clang).
read -r -a extra <<< "${TAPEGRAD_DEPS_EXTRA:-}"
packages+=("${extra[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
