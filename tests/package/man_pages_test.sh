#!/usr/bin/env bash
# The man pages in the .deb: one per executable, each formatted by groff
# without a warning, and each naming every option its executable's
# --help lists. Skips when groff is missing.
#
#   man_pages_test.sh <out-dir>
set -euo pipefail
here=$(dirname "$0")
. "$here/expect.sh"

root=$1/root
command -v groff >/dev/null || skip "no groff to format the man pages"

pages=$root/usr/share/man/man1
diff -u <(cd "$root/usr/bin" && ls) \
        <(cd "$pages" && ls | sed 's/\.1\.gz$//') \
  || fail "the man pages differ from the executables (-executables +pages)"

for page in "$pages"/*.1.gz; do
  warnings=$(gunzip -c "$page" | groff -man -Tutf8 -ww -z 2>&1)
  [ -z "$warnings" ] || fail "$page: $warnings"
done

# The options --help lists, as the roff source writes them (\-\-name).
for tool in hat-event-server hat-event-manager hat-event-adminer \
            hat-event-lmdb-manager; do
  options=$("$root/usr/bin/$tool" --help | grep -Eo -- '--[a-z][a-z-]*' \
              | sort -u)
  [ -n "$options" ] || fail "$tool --help lists no option"
  source=$(gunzip -c "$pages/$tool.1.gz")
  for option in $options; do
    grep -Fq -- "${option//-/\\-}" <<<"$source" \
      || fail "$tool.1 does not name $option, which --help lists"
  done
done
echo "man pages: $(ls "$pages" | wc -l) pages, no warning, every option"
