#!/usr/bin/env bash
# The whole test suite: set up, build, run every GoogleTest suite with ctest (one of them
# builds the libFuzzer targets with clang and runs each briefly); then the same suites under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero if anything fails.
#   VERITEE_QUICK=1 scripts/test.sh   skips the sanitizer pass
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
# (The fuzz smoke run is a test of the first pass; it is not repeated here.)
VERITEE_FUZZ_SMOKE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"
echo "all tests passed"
