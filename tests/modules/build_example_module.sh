#!/usr/bin/env bash
# Builds examples/module the way a user would: installs this build into a
# private prefix, then configures and builds the example against it with
# find_package(HatEvent).
#
#   build_example_module.sh <build-dir> <source-dir> <out-dir>
#
# Leaves <out-dir>/build/libhat_example_module.so. $CMAKE: the cmake to
# use (default: cmake on PATH).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 <build-dir> <source-dir> <out-dir>" >&2
  exit 2
fi
build_dir=$1
source_dir=$2
out_dir=$3
cmake=${CMAKE:-cmake}

# A fresh start each run: a stale prefix or cache would hide a broken
# install.
rm -rf "$out_dir/prefix" "$out_dir/build"
mkdir -p "$out_dir"

"$cmake" --install "$build_dir" --prefix "$out_dir/prefix"

# The server's compiler: a module built by another one has another ABI tag
# and is refused.
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' \
  "$build_dir/CMakeCache.txt")

"$cmake" -S "$source_dir/examples/module" -B "$out_dir/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$out_dir/prefix" \
  ${compiler:+-DCMAKE_CXX_COMPILER="$compiler"}
"$cmake" --build "$out_dir/build"

test -f "$out_dir/build/libhat_example_module.so"
