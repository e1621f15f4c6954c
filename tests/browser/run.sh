#!/usr/bin/env bash
# The report inspector in a real browser (ctest: Browser.Inspector). Usage:
#   run.sh VERITEE_BINARY CORPUS_DIR OUT_DIR SOURCE_DIR
# Skips (exit 77) only when Debian's chromium or node/npm is absent. Otherwise installs the
# pinned puppeteer-core with `npm ci` (npm_ci.sh: once per lock file; scripts/setup.sh does it
# ahead of time, after which no network is needed) and runs inspector.test.mjs, which leaves
# its screenshot in OUT_DIR.
set -euo pipefail
veritee=$1 corpus=$2 out=$3 src=$4
here=$(cd "$(dirname "$0")" && pwd)
chromium=${VERITEE_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: no chromium at $chromium (Debian: apt-get install chromium; scripts/setup.sh)"
  exit 77
fi
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: no $tool on PATH (Debian: apt-get install nodejs npm; scripts/setup.sh)"
    exit 77
  fi
done
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
  echo "SKIP: evidence corpus not found (looked in $corpus); set VERITEE_CORPUS"
  exit 77
fi
deps=$("$here/npm_ci.sh" | tail -n 1)
exec node "$here/inspector.test.mjs" --veritee "$veritee" --corpus "$corpus" --chromium "$chromium" \
  --deps "$deps" --out "$out" --source "$src"
