#!/usr/bin/env bash
# Installs the Debian 12 packages veritee needs to build, test and benchmark (as root, or with
# sudo). Does nothing when they are all present, so it also works offline after the first run.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 openssl
  libssl-dev nettle-dev libgmp-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libcpp-httplib-dev libtomlplusplus-dev libjwt-dev
  libmicrohttpd-dev libgnutls28-dev
  libhiredis-dev redis-server
  libtss2-dev swtpm swtpm-tools
  clang-16 libclang-rt-16-dev
  ovmf
  dpkg-dev lintian man-db
  chromium nodejs npm
)

# The browser test's pinned npm packages (tests/browser/package-lock.json: puppeteer-core only,
# driving Debian's chromium) fetched now, so the tests need no network later.
browser_deps() {
  "$(dirname "$0")/../tests/browser/npm_ci.sh" >/dev/null ||
    echo "setup: warning: npm ci for tests/browser failed; the browser test will retry it" >&2
}

missing=()
for p in "${PACKAGES[@]}"; do
  # node and npm from elsewhere (e.g. NodeSource's nodejs, which bundles npm) will do.
  case "$p" in nodejs | npm) command -v "${p/nodejs/node}" >/dev/null && continue ;; esac
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  browser_deps
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
browser_deps
echo "setup: done"
