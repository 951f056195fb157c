#!/usr/bin/env bash
# The server as the .deb installs it, run from the extracted files (no
# dpkg database, no root): the packaged configuration, changed only where
# a test must (db_path into a temporary folder, port 0) and given the
# example module built against an install tree, under service_sandbox's
# part of the unit's sandbox (MemoryDenyWriteExecute,
# RestrictAddressFamilies, NoNewPrivileges, and the unit's
# SystemCallFilter where systemd-analyze can expand it). It listens, the
# packaged client registers an event, the module's event is stored with
# it, and SIGTERM stops the server with exit code 0, its LMDB file
# written.
#
#   unpacked_server_test.sh <out-dir> <service_sandbox> <module-library>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"

root=$1/root
sandbox=$2
module=$3
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

config=$work/event.yaml
sed -e "s|^    db_path: /var/lib/hat-event/event\.db\$|    db_path: $work/data/event.db|" \
    -e 's|^    port: 23012$|    port: 0|' \
    -e "s|^modules: \[\]\$|modules:\n    - module: $module\n      subscriptions: [[sensor, '*']]|" \
    "$root/etc/hat/event.yaml" >"$config"
expect_line "$config" "^    db_path: $work/data/event\.db\$"
expect_line "$config" '^    port: 0$'
expect_line "$config" "^    - module: $module\$"

sandbox=("$sandbox")
if command -v systemd-analyze >/dev/null; then
  "$here/unit_system_calls.sh" \
    "$root/usr/lib/systemd/system/hat-event-server.service" >"$work/calls"
  sandbox+=(--system-calls "$work/calls")
else
  echo "note: no systemd-analyze: the unit's SystemCallFilter is not applied"
fi

# LeakSanitizer's tracer needs ptrace, which the unit's filter refuses; no
# sanitizer build runs as the service, and the other tests look for leaks.
log=$work/server.log
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
  "${sandbox[@]}" "$root/usr/bin/hat-event-server" --conf "$config" \
  2>"$log" &
server_pid=$!

# reap: the server's exit code into $code, once it is gone.
reap() {
  code=0
  wait "$server_pid" || code=$?
  server_pid=
  if [ "$code" -eq $((128 + $(kill -l SYS))) ]; then
    fail "SIGSYS: the server made a system call the unit's" \
         "SystemCallFilter refuses: $(cat "$log")"
  fi
}

# wait_for REGEX: until a line of the log matches, at most 30 s.
wait_for() {
  local deadline=$((SECONDS + 30))
  until grep -Eq -- "$1" "$log"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      reap
      [ "$code" -ne 77 ] || skip "service_sandbox cannot filter here"
      fail "the server exited with $code before '$1': $(cat "$log")"
    fi
    (( SECONDS < deadline )) || fail "no '$1' within 30 s: $(cat "$log")"
    sleep 0.05
  done
}

wait_for 'listening on 127\.0\.0\.1:[0-9]+'
port=$(grep -Eo 'listening on 127\.0\.0\.1:[0-9]+' "$log" | head -1)
port=${port##*:}
wait_for 'operational'

client=("$root/usr/bin/hat-event-manager" --port "$port")
echo '{"value": 21.5}' | "${client[@]}" register sensor/temperature \
  || fail "register failed"
"${client[@]}" query latest --event-types 'example/*' >"$work/latest.json" \
  || fail "query failed"
grep -Fq '"type": ["example", "stamped", "sensor", "temperature"]' \
  "$work/latest.json" || fail "no event of the module: $(cat "$work/latest.json")"

kill -TERM "$server_pid"
deadline=$((SECONDS + 30))
while kill -0 "$server_pid" 2>/dev/null; do
  (( SECONDS < deadline )) || fail "the server still runs 30 s after SIGTERM"
  sleep 0.05
done
reap
[ "$code" -eq 0 ] || fail "exit code $code after SIGTERM: $(cat "$log")"
[ -s "$work/data/event.db" ] || fail "no LMDB file at $work/data/event.db"
echo "unpacked server: served on port $port in the sandbox" \
     "(${sandbox[*]:1}), module loaded, exit 0"
