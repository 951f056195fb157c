#!/usr/bin/env bash
# The .deb installed, reinstalled, removed and purged by dpkg itself, in a
# throwaway root with a database of its own (dpkg --root). That root has no
# shell to chroot into, so dpkg runs the maintainer scripts on this machine
# (--force-script-chrootless) with every command that could change it a
# stub (stub_commands.sh). Checks what dpkg makes of the package: its files
# in place, /etc/hat/event.yaml a conffile whose local edit survives a
# reinstall and a remove and goes with purge, the data left alone. Needs
# root (dpkg sets owners); skips otherwise.
#
#   dpkg_root_test.sh <out-dir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"
. "$here/stub_commands.sh"

deb=$1/package.deb
[ "$(id -u)" -eq 0 ] || skip "dpkg needs root to set the owners of files"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# rm stays the real one: dpkg runs it itself.
stub_commands "$work"
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" \
         "$root/var/lib/hat-event"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
echo "events" >"$root/var/lib/hat-event/event.db"

# The packages it depends on are not in the throwaway database.
dpkg_here() {
  PATH="$work/bin:$PATH" dpkg --root="$root" --log="$work/dpkg.log" \
    --force-script-chrootless --force-depends "$@" >>"$work/dpkg.out" 2>&1 \
    || fail "dpkg $*: $(cat "$work/dpkg.out")"
}
status() {
  dpkg-query --root="$root" -W -f='${db:Status-Abbrev}${Version}' \
    hat-event-cpp 2>/dev/null || true
}
config=$root/etc/hat/event.yaml

dpkg_here --install "$deb"
[ "$(status)" = "ii $(dpkg-deb --field "$deb" Version)" ] \
  || fail "not installed: '$(status)'"
[ -x "$root/usr/bin/hat-event-server" ] || fail "no server executable"
dpkg-query --root="$root" -W -f='${Conffiles}' hat-event-cpp \
  | grep -q '^ /etc/hat/event.yaml [0-9a-f]\{32\}$' \
  || fail "/etc/hat/event.yaml is not a conffile"
called '^adduser --system .*hat-event$'
not_called "$forbidden_calls"

# A reinstall is an upgrade to the same version: the user is found now.
printf 'group hat-event\npasswd hat-event\n' >"$work/known"
echo "# edited" >>"$config"
: >"$calls"
dpkg_here --install "$deb"
not_called '^(addgroup|adduser)'
expect_line "$config" '^# edited$'

dpkg_here --remove hat-event-cpp
[ "$(status)" = "rc $(dpkg-deb --field "$deb" Version)" ] \
  || fail "not removed with its configuration kept: '$(status)'"
[ ! -e "$root/usr/bin/hat-event-server" ] || fail "the server is still there"
expect_line "$config" '^# edited$'

dpkg_here --purge hat-event-cpp
[ -z "$(status)" ] || [ "$(status)" = "pn" ] || fail "not purged: '$(status)'"
[ ! -e "$config" ] || fail "purge left $config"
called '^deb-systemd-helper purge hat-event-server\.service$'
not_called "$forbidden_calls"
[ "$(cat "$root/var/lib/hat-event/event.db")" = events ] \
  || fail "the data did not survive remove and purge"
echo "dpkg root: install, reinstall, remove, purge as expected"
