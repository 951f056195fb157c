#!/usr/bin/env bash
# Prints the numbers of the system calls that a unit's SystemCallFilter=
# lines let through on this machine's architecture, one a line, for
# service_sandbox --system-calls. Follows systemd.exec(5): the first
# line is an allow list, a later "~" line removes its calls from it; groups
# (@name) are expanded with systemd-analyze syscall-filter, numbers come
# from <sys/syscall.h>; the calls systemd always allows are added.
#
#   unit_system_calls.sh UNIT-FILE
#
# $CXX: the compiler whose preprocessor reads <sys/syscall.h> (default c++).
set -euo pipefail
unit=${1:?usage: $0 UNIT-FILE}

# expand NAME...: the system calls the names stand for, one a line.
expand() {
  local name
  for name in "$@"; do
    if [[ $name == @* ]]; then
      expand $(systemd-analyze syscall-filter "$name" \
                 | sed -e 's/#.*//' -e '1d' | tr -s ' \n' ' ')
    elif [ -n "$name" ]; then
      echo "$name"
    fi
  done
}

declare -A allowed=()
first=yes
while IFS= read -r value; do
  if [[ $value == ~* ]]; then
    [ "$first" = no ] || { echo "$unit: a deny list first" >&2; exit 1; }
    for call in $(expand ${value#\~}); do unset "allowed[$call]"; done
  else
    for call in $(expand $value); do allowed[$call]=1; done
  fi
  first=no
done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
[ "$first" = no ] || { echo "$unit: no SystemCallFilter=" >&2; exit 1; }
# Always allowed (systemd.exec(5)): what exec and exit need, and time.
for call in execve exit exit_group getrlimit rt_sigreturn sigreturn \
            $(expand @default | grep -E 'time|sleep'); do
  allowed[$call]=1
done

"${CXX:-c++}" -E -dM -x c++ - <<<'#include <sys/syscall.h>' \
  | sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$/\1 \2/p' \
  | while read -r call number; do
      if [ -n "${allowed[$call]:-}" ]; then echo "$number"; fi
    done
