#!/bin/bash
# Installs the build into a temporary prefix, builds a C++ consumer with find_package(veritee)
# and a C consumer with `pkg-config --cflags --libs veritee` against it, and checks that both
# give the installed CLI's exit code on a corpus report (0) and on a malformed one (2).
# Usage: install_test.sh BUILD_DIR SOURCE_DIR CORPUS_DIR
set -euo pipefail
# A failing step says which line it was (set -e alone ends the script silently).
trap 'echo "FAIL: install_test.sh line $LINENO exited $?"' ERR
build=$1 source=$2 corpus=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
cli=$prefix/bin/veritee
# (find -print -quit and awk's exit, not `| head -1`: under pipefail the writer that head
# leaves behind dies of SIGPIPE, and set -e would end this script without a word.)
lib=$(find "$prefix" -name 'libveritee.so.*.*.*' -print -quit)
[ -x "$cli" ] || { echo "FAIL: no bin/veritee"; exit 1; }
[ -n "$lib" ] || { echo "FAIL: no libveritee.so.<version>"; exit 1; }
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[[ $soname =~ ^libveritee\.so\.[0-9]+$ ]] || { echo "FAIL: SONAME '$soname'"; exit 1; }
libdir=$(dirname "$lib")
[ -e "$libdir/$soname" ] && [ -e "$libdir/libveritee.so" ] || { echo "FAIL: symlinks"; exit 1; }
# Only the C ABI is exported.
others=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ && $3 !~ /^veritee_/' )
[ -z "$others" ] || { echo "FAIL: exported beyond the C ABI:"; echo "$others"; exit 1; }
for f in include/veritee/veritee.h include/veritee/verify/verifier.hpp; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done

# A corpus row with a signer and a chain (MANIFEST.tsv: report enc ver product key signer chain at oracle).
row=$(awk -F'\t' '!/^#/ && $6 != "-" && $7 != "-" && $9 == "PASS" {print; exit}' "$corpus/MANIFEST.tsv")
if [ -z "$row" ]; then
  echo "SKIP: no corpus MANIFEST.tsv row with signer and chain under $corpus"
  exit 0
fi
IFS=$'\t' read -r report _enc _ver product _key signer chain at _oracle <<< "$row"

# The C++ consumer, through the package config.
cmake -S "$source/tests/capi/consumer" -B "$tmp/cpp" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  > "$tmp/cpp.log" 2>&1 || { cat "$tmp/cpp.log"; exit 1; }
cmake --build "$tmp/cpp" > "$tmp/cpp-build.log" 2>&1 || { cat "$tmp/cpp-build.log"; exit 1; }
# The C consumer, through pkg-config.
pc=$(dirname "$(find "$prefix" -name veritee.pc -print -quit)")
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs veritee)
cc -std=c17 -Wall -Wextra -Werror -o "$tmp/consumer_c" "$source/tests/capi/consumer/consumer.c" $flags

export LD_LIBRARY_PATH=$libdir
printf 'not an attestation report' > "$tmp/junk.bin"
fail=0
check() {  # check NAME REPORT: the three agree on the exit code
  local ev=$1 expected=$2 cli_args=(verify --offline --vcek "$corpus/$signer" --chain "$corpus/$chain")
  [ "$at" != "-" ] && cli_args+=(--at "$at")
  [ "$product" != "-" ] && cli_args+=(--product "$product")
  local got_cli=0 got_cpp=0 got_c=0
  "$cli" "${cli_args[@]}" "$ev" > /dev/null 2>&1 || got_cli=$?
  "$tmp/cpp/consumer_cpp" "$ev" "$corpus/$signer" "$corpus/$chain" "$at" "$product" || got_cpp=$?
  "$tmp/consumer_c" "$ev" "$corpus/$signer" "$corpus/$chain" "$at" "$product" || got_c=$?
  echo "$ev: CLI $got_cli, C++ $got_cpp, C $got_c (expected $expected)"
  if [ "$got_cli" != "$expected" ] || [ "$got_cpp" != "$expected" ] || [ "$got_c" != "$expected" ]; then
    fail=1
  fi
}
check "$corpus/$report" 0
check "$tmp/junk.bin" 2
[ $fail = 0 ] && echo "PASS: installed CLI, C++ and C consumers agree" || echo "FAIL"
exit $fail
