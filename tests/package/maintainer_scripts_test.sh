#!/usr/bin/env bash
# The .deb's maintainer scripts run with the arguments dpkg gives them, and
# every command that could change the machine a stub (stub_commands.sh):
# a first install creates the group and the user, a second finds them;
# none enables or starts the service; prerm stops it only on remove;
# remove and purge delete no data and no user. Each case runs with and
# without systemd (a /run/systemd/system faked in a namespace of its own);
# where namespaces are not allowed, only this machine's case.
#
#   maintainer_scripts_test.sh <out-dir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"
. "$here/stub_commands.sh"

control=$1/control
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stub_commands "$work"
stub_command "$work" rm

if unshare --user --map-root-user --mount true 2>/dev/null; then
  worlds="without-systemd with-systemd"
  faked=yes
else
  worlds=$([ -d /run/systemd/system ] && echo with-systemd \
             || echo without-systemd)
  faked=no
  echo "note: no namespaces here: only the case $worlds is checked"
fi

# run SCRIPT ARG...: the script in $world with the stubs first on PATH and
# $DPKG_ROOT as given, $calls holding only its calls.
run() {
  : >"$calls"
  local command=(env PATH="$work/bin:$PATH" DPKG_ROOT="${dpkg_root:-}"
                 sh "$control/$1" "${@:2}")
  if [ "$faked" = yes ]; then
    unshare --user --map-root-user --mount sh -c '
      mount -t tmpfs run /run
      [ "$1" = without-systemd ] || mkdir -p /run/systemd/system
      shift
      exec "$@"' sh "$world" "${command[@]}"
  else
    "${command[@]}"
  fi || fail "$world: $* exited with $?"
}
# A call made only where systemd runs.
called_with_systemd() {
  if [ "$world" = with-systemd ]; then called "$1"; else not_called "$1"; fi
}

for world in $worlds; do
  rm -f "$work/known"
  run postinst configure
  called '^addgroup --system .*hat-event$'
  called '^adduser --system .*--ingroup hat-event .*hat-event$'
  called '^deb-systemd-helper update-state hat-event-server\.service$'
  called_with_systemd '^systemctl --system daemon-reload$'
  not_called "$forbidden_calls"

  printf 'group hat-event\npasswd hat-event\n' >"$work/known"
  run postinst configure 0.0.9
  not_called '^(addgroup|adduser)'
  called_with_systemd '^systemctl --system try-restart hat-event-server\.service$'
  not_called "$forbidden_calls"

  # Into another tree (dpkg --root): this machine's systemd is left alone.
  dpkg_root=/nonexistent run postinst configure 0.0.9
  not_called '^systemctl'

  run prerm upgrade 0.2.0
  [ ! -s "$calls" ] || fail "prerm upgrade did something: $(cat "$calls")"
  run prerm remove
  called_with_systemd '^deb-systemd-invoke stop hat-event-server\.service$'

  run postrm remove
  called_with_systemd '^systemctl --system daemon-reload$'
  not_called "$forbidden_calls"
  run postrm purge
  called '^deb-systemd-helper purge hat-event-server\.service$'
  not_called "$forbidden_calls"
done
echo "maintainer scripts: install, upgrade, remove and purge as expected ($worlds)"
