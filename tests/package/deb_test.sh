#!/usr/bin/env bash
# The .deb (build_package.sh's <out-dir>/package.deb) as dpkg sees it: its
# control fields and Depends, exactly the expected files owned by root,
# /etc/hat/event.yaml a conffile, nothing under /var/lib/hat-event (so
# removal cannot take the data), and maintainer scripts that create the
# user and enable, start and delete nothing.
#
#   deb_test.sh <out-dir> <libdir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"
. "$here/installed_files.sh"
. "$here/stub_commands.sh" # for $forbidden_calls

out=$1
libdir=$2
deb=$out/package.deb
control=$out/control

info=$(mktemp)
trap 'rm -f "$info"' EXIT
dpkg-deb --field "$deb" >"$info"
expect_line "$info" '^Package: hat-event-cpp$'
expect_line "$info" "^Architecture: $(dpkg --print-architecture)\$"
# From dpkg-shlibdeps: the runtime libraries' packages.
for package in adduser 'libcaf-core0\.17' 'libcaf-io0\.17' liblmdb0 \
               'libboost-json1\.81\.0' 'libyaml-cpp0\.7' 'libstdc\+\+6' libc6; do
  expect_line "$info" "^Depends: (.*, )?$package( \\(|,|\$)"
done

diff -u <(installed_files "usr/" "$libdir" | sort) \
        <(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ { print $6 }' \
            | sed 's|^\./||' | sort) \
  || fail "the .deb's files differ from the expected ones (-expected +packaged)"
if dpkg-deb --contents "$deb" | awk '$2 != "root/root"' | grep . >&2; then
  fail "the entries above are not owned by root"
fi
if dpkg-deb --contents "$deb" | grep -E ' \./var/' >&2; then
  fail "the .deb ships the entries above under /var"
fi

[ "$(cat "$control/conffiles")" = /etc/hat/event.yaml ] \
  || fail "conffiles is not exactly /etc/hat/event.yaml"

for script in postinst prerm postrm; do
  file=$control/$script
  [ -x "$file" ] || fail "$script is not executable"
  [ "$(head -1 "$file")" = "#!/bin/sh" ] || fail "$script is not a sh script"
  expect_line "$file" '^set -e$'
  sh -n "$file" || fail "$script: sh cannot parse it"
done

# Commands without comments, continued lines joined: what the scripts do,
# not what they say.
commands() {
  sed -e 's/#.*//' -e ':join' -e '/\\$/{N;s/\\\n *//;b join}' \
    "$control/$1"
}
commands postinst | grep -Eq 'adduser --system .*hat-event$' \
  || fail "postinst creates no hat-event system user"
commands postinst | grep -Eq 'addgroup --system .*hat-event$' \
  || fail "postinst creates no hat-event group"
for script in postinst prerm postrm; do
  if commands "$script" | grep -E "$forbidden_calls" >&2; then
    fail "$script: the command above enables, starts or deletes"
  fi
done
expect_line "$control/prerm" 'stop hat-event-server\.service'
echo "deb: $(dpkg-deb --contents "$deb" | wc -l) entries, control as expected"
