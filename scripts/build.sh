#!/usr/bin/env bash
# Configures and builds veritee. Usage: scripts/build.sh BUILD_DIR [cmake options...]
# The libraries and the CLI compile as unity builds (CMakeLists.txt, VERITEE_UNITY_BUILD);
# pass -DVERITEE_UNITY_BUILD=OFF to compile them file by file.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$1"; shift
cmake -S "$here" -B "$dir" -G Ninja -DVERITEE_UNITY_BUILD=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
