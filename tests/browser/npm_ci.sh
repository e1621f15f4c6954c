#!/usr/bin/env bash
# npm_ci.sh [DIR]: the browser test's pinned dependencies (package-lock.json) installed into DIR
# with `npm ci`, unless DIR already holds this very lock file's install. Needs the npm registry
# the first time only (scripts/setup.sh runs it; the test then needs no network). Chromium is
# Debian's: puppeteer downloads no browser. DIR defaults to $VERITEE_BROWSER_DEPS, else
# ~/.cache/veritee/browser-test; the directory is printed on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-${VERITEE_BROWSER_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/veritee/browser-test}}
mkdir -p "$dir"
if [ -d "$dir/node_modules/puppeteer-core" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
  echo "$dir"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
export PUPPETEER_SKIP_DOWNLOAD=1
(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >&2
echo "$dir"
