#!/usr/bin/env bash
# Installs the Debian 12 packages veritee needs to build, test and benchmark (as root, or with
# sudo). Does nothing when they are all present, so it also works offline after the first run.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 openssl
  libssl-dev nettle-dev libgmp-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libcpp-httplib-dev libtomlplusplus-dev libjwt-dev
  libhiredis-dev redis-server
  libtss2-dev swtpm swtpm-tools
  clang-16 libclang-rt-16-dev
  ovmf
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: run as root (missing: ${missing[*]})" >&2; exit 2; }
  SUDO=sudo
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
