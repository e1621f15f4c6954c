#!/usr/bin/env bash
# The main job on a bundled real sample: set up, build, then decode and verify an AMD-signed
# Turin report offline against its VCEK and the built-in AMD roots.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
"$here/scripts/setup.sh"
"$here/scripts/build.sh" "$here/build" -DCMAKE_BUILD_TYPE=Release -DVERITEE_TESTS=OFF
veritee="$here/build/apps/veritee/veritee"
sample="$here/samples/turin-v5"
# The first lines only; captured first, so pipefail never sees a SIGPIPE from a closed head.
shown=$("$veritee" show "$sample/report.bin")
sed -n 1,12p <<< "$shown"
echo "..."
"$veritee" verify --vcek "$sample/vcek.pem" "$sample/report.bin"
echo
# Appraisal: the same report against reference values (the policy `serve` would use).
appraised=$("$veritee" verify --vcek "$sample/vcek.pem" --policy "$here/examples/policy.toml" "$sample/report.bin")
tail -n 6 <<< "$appraised"
