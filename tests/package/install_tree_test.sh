#!/usr/bin/env bash
# cmake --install's tree (build_package.sh's <out-dir>/prefix): exactly the
# expected files; executables that run; the unit naming this prefix's
# executable and configuration; the example configuration pointed at the
# service's state directory and listening on loopback only.
#
#   install_tree_test.sh <out-dir> <libdir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"
. "$here/installed_files.sh"

prefix=$1/prefix
libdir=$2

diff -u <(installed_files "" "$libdir" | sort) \
        <(cd "$prefix" && find . -type f -o -type l | sed 's|^\./||' | sort) \
  || fail "the installed files differ from the expected ones (-expected +installed)"

for tool in hat-event-server hat-event-manager hat-event-adminer \
            hat-event-lmdb-manager; do
  "$prefix/bin/$tool" --version | grep -q "^$tool " \
    || fail "$tool --version does not name it"
done

unit=$prefix/lib/systemd/system/hat-event-server.service
expect_line "$unit" \
  "^ExecStart=$prefix/bin/hat-event-server --conf $prefix/etc/hat/event.yaml\$"

config=$prefix/etc/hat/event.yaml
expect_line "$config" '^    db_path: /var/lib/hat-event/event\.db$'
# The configuration listens, and on loopback only.
expect_line "$config" '^    host: 127\.0\.0\.1$'
if grep -E '^[[:space:]]+host:' "$config" | grep -Ev ': 127\.0\.0\.1$' >&2; then
  fail "$config: the host above is not loopback"
fi
echo "install tree: $(installed_files "" "$libdir" | wc -l) files as expected"
