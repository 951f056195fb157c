# Sourced by the checks that run the .deb's maintainer scripts (after
# expect.sh): stands in for every command of theirs that could change this
# machine, and says what they called.
#
#   stub_commands DIR
#
# Fills DIR/bin with stubs that append "COMMAND ARG..." to DIR/calls ($calls
# from then on; put DIR/bin first on PATH). The getent stub answers for the
# names listed in DIR/known, one "DATABASE NAME" a line ("passwd
# hat-event").
stub_commands() {
  local dir=$1 command
  calls=$dir/calls
  mkdir -p "$dir/bin"
  : >"$calls"
  cat >"$dir/bin/getent" <<STUB
#!/bin/sh
echo "getent \$*" >>"$calls"
grep -qx "\$*" "$dir/known" 2>/dev/null
STUB
  chmod +x "$dir/bin/getent"
  for command in adduser addgroup deluser delgroup useradd userdel \
                 systemctl deb-systemd-helper deb-systemd-invoke; do
    stub_command "$dir" "$command"
  done
}

# stub_command DIR COMMAND: one more stub, as above.
stub_command() {
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$2" "$1/calls" >"$1/bin/$2"
  chmod +x "$1/bin/$2"
}

# called REGEX, not_called REGEX: whether some recorded call matches.
called() {
  grep -Eq -- "$1" "$calls" \
    || fail "no call matches '$1'; the calls: $(tr '\n' ';' <"$calls")"
}
not_called() {
  if grep -E -- "$1" "$calls" >&2; then
    fail "the call above matches '$1'"
  fi
}

# What no maintainer script may call: enabling or starting the service,
# deleting files or users.
forbidden_calls='\b(enable|start|unmask|rm|deluser|delgroup|userdel)\b'
