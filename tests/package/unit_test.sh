#!/usr/bin/env bash
# The systemd unit in the .deb: the settings the service relies on, then
# systemd's own checks, `systemd-analyze verify` and `systemd-analyze
# security --offline`, on a copy whose ExecStart names the unpacked
# executable (verify wants it to exist). Skips those two when
# systemd-analyze is missing.
#
#   unit_test.sh <out-dir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"

root=$1/root
unit=$root/usr/lib/systemd/system/hat-event-server.service

while read -r setting; do
  grep -Fxq -- "$setting" "$unit" || fail "$unit: no line '$setting'"
done <<'SETTINGS'
ExecStart=/usr/bin/hat-event-server --conf /etc/hat/event.yaml
User=hat-event
Group=hat-event
StateDirectory=hat-event
WorkingDirectory=%S/hat-event
Restart=on-failure
RestartPreventExitStatus=2
LimitNOFILE=65536
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
LockPersonality=yes
MemoryDenyWriteExecute=yes
SystemCallFilter=@system-service
WantedBy=multi-user.target
SETTINGS

command -v systemd-analyze >/dev/null \
  || skip "no systemd-analyze: the settings are right, systemd did not check"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy=$work/hat-event-server.service
sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$copy"

# Documentation=man:hat-event-server(1) is looked up in the package's
# pages, where man is there to look.
man_check=--man=yes
command -v man >/dev/null || man_check=--man=no
output=$(MANPATH=$root/usr/share/man \
           systemd-analyze verify "$man_check" "$copy" 2>&1) \
  || fail "systemd-analyze verify: $output"
if grep -F hat-event-server.service <<<"$output" >&2; then
  fail "systemd-analyze verify warns about the unit (above)"
fi

# The exposure systemd computes from the sandbox settings, out of 10.
security=$(systemd-analyze security --offline=yes --threshold=20 "$copy" 2>&1) \
  || fail "exposure above 2.0: $(tail -3 <<<"$security")"
echo "unit: settings present, verify ($man_check) clean," \
     "$(grep -Eo 'exposure level.*' <<<"$security" | head -1)"
