#!/usr/bin/env bash
# Installs the built tree into a temporary prefix and builds and runs a consumer project
# against it with find_package(tapegrad). Arguments: BUILD_DIR SOURCE_DIR [EXTRA_FLAGS]
# (EXTRA_FLAGS: the sanitizer flags of a sanitized build, which its consumers need too) [CXX]
# (CXX: the build's compiler; a consumer built by another compiler may lay out Eigen's
# allocations differently under ASan: clang 14 and gcc disagree on __SANITIZE_ADDRESS__).
set -euo pipefail
build_dir=$1
source_dir=$2
extra_flags=${3:-}
compiler=${4:-c++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() {  # runs a step quietly; on failure shows its output
  local log=$work/$1.log; shift
  "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
}
step install cmake --install "$build_dir" --prefix "$work/prefix"
step configure cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_CXX_FLAGS="$extra_flags" -DCMAKE_EXE_LINKER_FLAGS="$extra_flags"
step build cmake --build "$work/build"
"$work/build/consumer" "$source_dir/examples/mtcars_logistic/config.json"
test -x "$work/prefix/bin/tapegrad"
