#!/usr/bin/env bash
# The whole test suite: set up, build, run every GoogleTest suite with ctest; then the same
# suites under AddressSanitizer + UndefinedBehaviorSanitizer; then a short run of every fuzz
# target (clang libFuzzer). Exits non-zero if anything fails.
#   VERITEE_QUICK=1 scripts/test.sh   skips the sanitizer build and the fuzz smoke run
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
"$here/scripts/setup.sh"

echo "== build and test (RelWithDebInfo)"
"$here/scripts/build.sh" "$here/build" -DVERITEE_TESTS=ON
ctest --test-dir "$here/build" --output-on-failure -j"$jobs"

if [ "${VERITEE_QUICK:-0}" = 1 ]; then exit 0; fi

echo "== build and test with ASan + UBSan"
"$here/scripts/build.sh" "$here/build-asan" -DVERITEE_TESTS=ON -DVERITEE_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"

if [ -x "$here/fuzz/smoke.sh" ]; then
  echo "== fuzz smoke run"
  "$here/fuzz/smoke.sh"
fi
echo "all tests passed"
