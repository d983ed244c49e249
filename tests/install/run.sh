#!/usr/bin/env bash
# Installs the built tree into a temporary prefix and builds and runs a consumer project
# against it with find_package(tapegrad). Arguments: BUILD_DIR SOURCE_DIR.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
"$work/build/consumer" "$source_dir/examples/mtcars_logistic/config.json"
test -x "$work/prefix/bin/tapegrad"
