#!/bin/bash
# The Debian package as CI builds it: scripts/package.sh on this build tree builds the .deb
# with CPack, installs it with dpkg into a throw-away root (never this machine's own), runs the
# installed `veritee --version` and the Python module from there, and runs lintian (exit
# non-zero on any error). Skips (exit 77) only when dpkg-deb, dpkg-shlibdeps or lintian is not
# installed (Debian packages dpkg-dev and lintian; scripts/setup.sh installs them).
# Usage: deb_test.sh PACKAGE_SH BUILD_DIR
set -euo pipefail
package_sh=$1 build=$2
for tool in dpkg-deb dpkg-shlibdeps lintian; do
  if ! command -v "$tool" > /dev/null; then
    echo "SKIP: $tool is not installed (apt-get install dpkg-dev lintian): the .deb is not built"
    exit 77
  fi
done
out=$("$package_sh" "$build" 2>&1) || { echo "$out"; echo "FAIL: scripts/package.sh failed"; exit 1; }
echo "$out"
grep -q '^veritee [0-9]' <<< "$out" || { echo "FAIL: the installed veritee --version printed no version"; exit 1; }
grep -q '^python module: veritee' <<< "$out" || { echo "FAIL: the installed Python module did not import"; exit 1; }
echo "PASS: .deb built, installed into a scratch root, --version ran, lintian found no errors"
