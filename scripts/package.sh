#!/bin/bash
# Builds the Debian package: veritee_<version>_amd64.deb (CLI, libveritee.so.<ABI>, headers,
# CMake/pkg-config files, the Python module), then installs it with dpkg into a throw-away
# root (never this machine's own) and runs the installed `veritee --version` from there.
# Usage: scripts/package.sh [BUILD_DIR]   (default build-package, configured Release on first
# use; an existing build directory is packaged as it is configured)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-package}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVERITEE_TESTS=OFF -DVERITEE_UNITY_BUILD=ON \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER}
fi
cmake --build "$build" -j"${JOBS:-2}" --target veritee_cli veritee_shared veritee_man
(cd "$build" && cpack -G DEB)
deb=$(find "$build" -maxdepth 1 -name 'veritee_*_amd64.deb' -print -quit)
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

# dpkg --root into a scratch root: its own database, nothing touches the host's.
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
# The scratch root has no libc6 etc., hence --force-depends; the output only on failure.
dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless \
  --log=/dev/null -i "$deb" > "$root/dpkg.log" 2>&1 || { cat "$root/dpkg.log"; exit 1; }
export LD_LIBRARY_PATH=$(dirname "$(find "$root" -name 'libveritee.so.*' -print -quit)")
"$root/usr/bin/veritee" --version
PYTHONPATH=$root/usr/lib/python3/dist-packages \
  python3 -c 'import veritee; print("python module: veritee", veritee.version())'
if command -v lintian > /dev/null; then
  lintian --tag-display-limit 0 "$deb"  # exits non-zero on errors; warnings: docs/embedding.md
else
  echo "lintian not installed (Debian package lintian): not run"
fi
