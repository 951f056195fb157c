#!/usr/bin/env bash
# The fixture of the package checks: installs the build into
# <out-dir>/prefix with cmake --install, builds the .deb with cpack into
# <out-dir>/deb, links it as <out-dir>/package.deb, and extracts its files
# into <out-dir>/root and its control files into <out-dir>/control.
#
#   build_package.sh <build-dir> <out-dir>
#
# $CMAKE, $CPACK: the tools to use (default: those on PATH).
set -euo pipefail

usage="usage: $0 <build-dir> <out-dir>"
build_dir=${1:?$usage}
out_dir=${2:?$usage}

# A fresh start each run: a stale tree would hide a file no longer
# installed.
rm -rf "$out_dir"
mkdir -p "$out_dir"

"${CMAKE:-cmake}" --install "$build_dir" --prefix "$out_dir/prefix" \
  >"$out_dir/install.log"
"${CPACK:-cpack}" -G DEB --config "$build_dir/CPackConfig.cmake" \
  -B "$out_dir/deb" >"$out_dir/cpack.log"

shopt -s nullglob
debs=("$out_dir"/deb/*.deb)
if [[ ${#debs[@]} -ne 1 ]]; then
  echo "expected one .deb in $out_dir/deb, found ${#debs[@]}" >&2
  exit 1
fi
ln -s "${debs[0]}" "$out_dir/package.deb"
dpkg-deb -x "$out_dir/package.deb" "$out_dir/root"
dpkg-deb -e "$out_dir/package.deb" "$out_dir/control"
