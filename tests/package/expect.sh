# Sourced by the package checks: how they fail and skip (77 is their
# SKIP_RETURN_CODE, tests/package/CMakeLists.txt).

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

skip() {
  echo "SKIP: $*" >&2
  exit 77
}

# expect_paths ROOT PATH...: every PATH is there under ROOT.
expect_paths() {
  local root=$1
  shift
  local path
  for path in "$@"; do
    [ -e "$root/$path" ] || fail "$path is missing under $root"
  done
}

# expect_line FILE REGEX: some line of FILE matches the extended REGEX.
expect_line() {
  grep -Eq -- "$2" "$1" || fail "$1: no line matches '$2'"
}

# expect_no_line FILE REGEX: no line of FILE matches it.
expect_no_line() {
  if grep -En -- "$2" "$1" >&2; then
    fail "$1: the line above matches '$2'"
  fi
}
