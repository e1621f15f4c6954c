#!/usr/bin/env bash
# The whole test suite: set up, build, run every GoogleTest suite with ctest (one of them
# builds the libFuzzer targets with clang and runs each briefly); then the same suites under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero if anything fails, and ends
# with one line "tests: N passed, 0 failed, K skipped" over both passes.
#   VERITEE_QUICK=1 scripts/test.sh   skips the sanitizer pass
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
"$here/scripts/setup.sh"

total=0
skipped=0
# ctest with its output kept; adds the pass's counts to $total and $skipped.
run_ctest() {
  local dir="$1" log
  log="$(mktemp)"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" | tee "$log"
  local n
  n="$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)"
  local s
  s="$(grep -c '(Skipped)$' "$log" || true)"
  rm -f "$log"
  total=$((total + ${n:-0}))
  skipped=$((skipped + ${s:-0}))
}

echo "== build and test (RelWithDebInfo)"
"$here/scripts/build.sh" "$here/build" -DVERITEE_TESTS=ON
run_ctest "$here/build"

if [ "${VERITEE_QUICK:-0}" != 1 ]; then
  echo "== build and test with ASan + UBSan"
  "$here/scripts/build.sh" "$here/build-asan" -DVERITEE_TESTS=ON -DVERITEE_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=Debug
  # (The fuzz smoke run is a test of the first pass; it is not repeated here.)
  VERITEE_FUZZ_SMOKE=0 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest "$here/build-asan"
fi
echo "tests: $((total - skipped)) passed, 0 failed, $skipped skipped"
