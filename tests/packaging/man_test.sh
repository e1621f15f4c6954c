#!/bin/bash
# Every sub-command of the built CLI has a generated man page, and `man -l` renders each page
# without warnings. Usage: man_test.sh VERITEE_BINARY MAN_DIR
set -euo pipefail
cli=$1 dir=$2
fail=0
commands=$("$cli" --help | awk '/^[A-Za-z ]+:$/ {s = toupper($0) == "SUBCOMMANDS:"; next} s && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || { echo "FAIL: no sub-commands in veritee --help"; exit 1; }
for page in veritee $(printf 'veritee-%s\n' $commands); do
  f=$dir/$page.1
  if [ ! -f "$f" ]; then
    echo "FAIL: no man page $f"; fail=1; continue
  fi
  warnings=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 > /dev/null)
  text=$(MANWIDTH=80 man -l "$f" 2> /dev/null)
  if [ -n "$warnings" ] || ! grep -q "Usage: veritee" <<< "$text"; then
    echo "FAIL: $page does not render cleanly: $warnings"; fail=1
  fi
done
[ $fail = 0 ] && echo "PASS: $(wc -w <<< "$commands") sub-commands, every page renders"
exit $fail
