#!/usr/bin/env bash
# Fuzz smoke run: builds the libFuzzer targets with clang in build-fuzz (ASan+UBSan+libFuzzer),
# seeds each from the evidence corpus (copied into the build directory at run time, never into
# the repository) and runs each for N seconds. Exits non-zero when a target crashes, leaks,
# times out or fails to build; prints one "fuzz smoke: SKIP ..." line and exits 0 when no usable
# clang is installed.
#
#   fuzz/smoke.sh [SECONDS_PER_TARGET]      (default 20; or $FUZZ_SECONDS)
#   env: VERITEE_CORPUS (default ../shared/corpus), VERITEE_CORPUS_MEASURE (default
#        ../shared/corpus-measure), VERITEE_FUZZ_BUILD (default build-fuzz),
#        CXX (a clang++ to use instead of the newest clang++-NN found)
set -euo pipefail

seconds=${1:-${FUZZ_SECONDS:-20}}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${VERITEE_CORPUS:-$root/../shared/corpus}
corpus_measure=${VERITEE_CORPUS_MEASURE:-$root/../shared/corpus-measure}
build=${VERITEE_FUZZ_BUILD:-$root/build-fuzz}
targets=(fuzz_report fuzz_evidence fuzz_certificate fuzz_quote fuzz_ovmf fuzz_p384)
corpus_dcap=${VERITEE_CORPUS_DCAP:-$(dirname "$corpus")/corpus-dcap}

skip() {
  echo "fuzz smoke: SKIP ($*)"
  exit 0
}

# libstdc++ 12's std::expected needs clang 16+ (see fuzz/CMakeLists.txt): pick the newest.
cxx=""
candidates=()
[[ -n "${CXX:-}" && "${CXX}" == *clang* ]] && candidates+=("$CXX")
candidates+=(clang++-19 clang++-18 clang++-17 clang++-16 clang++)
found_any=""
for c in "${candidates[@]}"; do
  command -v "$c" >/dev/null 2>&1 || continue
  found_any=$c
  major=$("$c" -dumpversion | cut -d. -f1)
  if (( major >= 16 )); then
    cxx=$(command -v "$c")
    break
  fi
done
if [[ -z "$found_any" ]]; then
  skip "no clang++ installed; apt-get install clang-16 libclang-rt-16-dev"
fi
if [[ -z "$cxx" ]]; then
  skip "$found_any is clang $("$found_any" -dumpversion), which cannot compile libstdc++'s std::expected; needs clang 16+ (apt-get install clang-16 libclang-rt-16-dev)"
fi

# The libFuzzer runtime ships separately from the compiler (libclang-rt-NN-dev).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe/probe.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>/dev/null; then
  skip "$cxx has no libFuzzer runtime; apt-get install libclang-rt-$("$cxx" -dumpversion | cut -d. -f1)-dev"
fi

if [[ ! -f "$corpus/MANIFEST.tsv" ]]; then
  echo "fuzz smoke: no corpus at $corpus: running without seeds" >&2
fi

echo "fuzz smoke: building ${targets[*]} with $cxx in $build"
cmake -S "$root" -B "$build" -G Ninja -DVERITEE_FUZZ=ON -DVERITEE_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" >"$build.configure.log" 2>&1 || {
  cat "$build.configure.log" >&2
  echo "fuzz smoke: FAILED to configure" >&2
  exit 1
}
cmake --build "$build" -j "${FUZZ_JOBS:-2}" --target "${targets[@]}"

# Seeds, per target, from the corpus (flattened names; the corpus stays read-only).
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds/report" "$seeds/evidence" "$seeds/certificate" "$seeds/quote" "$seeds/ovmf" "$seeds/p384"
copy_seed() {  # copy_seed DIR FILE
  local rel=${2#"$corpus"/}
  cp "$2" "$1/${rel//\//_}"
}
if [[ -f "$corpus/MANIFEST.tsv" ]]; then
  while IFS=$'\t' read -r report _; do
    [[ -z "$report" || "$report" == \#* ]] && continue
    [[ -f "$corpus/$report" ]] || continue
    copy_seed "$seeds/evidence" "$corpus/$report"
    copy_seed "$seeds/report" "$corpus/$report"
  done <"$corpus/MANIFEST.tsv"
  while IFS= read -r -d '' f; do
    copy_seed "$seeds/evidence" "$f"
  done < <(find "$corpus" -type f \( -name '*.bin' -o -name '*.hex' -o -name '*.txt' \) \
             ! -name 'LICENSE*' -size -64k -print0)
  while IFS= read -r -d '' f; do
    copy_seed "$seeds/certificate" "$f"
  done < <(find "$corpus" -type f \( -name '*.pem' -o -name '*.der' -o -name '*.testcer' \
             -o -name 'cert_chain_*' \) -size -64k -print0)
fi
# DCAP quotes and collateral JSON (corpus-dcap beside the SNP corpus).
if [[ -d "$corpus_dcap" ]]; then
  while IFS= read -r -d '' f; do
    rel=${f#"$corpus_dcap"/}
    cp "$f" "$seeds/quote/${rel//\//_}"
  done < <(find "$corpus_dcap" -type f ! -name 'LICENSE*' ! -name '*.md' ! -name 'MANIFEST.tsv' \
             ! -name '*.pem' -size -64k -print0)
fi
# P-384 seeds: a few starting points, one per mode (the target signs its own messages).
for mode in 0 1 2 3; do
  printf "\\x0$mode\\xff\\xff%0200d" 0 >"$seeds/p384/mode$mode"
done
# OVMF seeds: the 4 KiB image suffixes of corpus-measure (footer table and SEV metadata).
if [[ -d "$corpus_measure" ]]; then
  while IFS= read -r -d '' f; do
    cp "$f" "$seeds/ovmf/$(basename "$f")"
  done < <(find "$corpus_measure" -type f -name '*.bin' -size -64k -print0)
fi
# A CRL seed (AMD's CRLs are not in the corpus): a throwaway CA made with the openssl CLI.
if command -v openssl >/dev/null 2>&1; then
  (
    cd "$probe"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -subj /CN=ARK-Milan \
      -days 2 >/dev/null 2>&1
    : >index.txt
    echo 01 >crlnumber
    printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha384\ndefault_crl_days=30\n' >ca.cnf
    openssl ca -gencrl -config ca.cnf -keyfile ca.key -cert ca.pem -out crl.pem >/dev/null 2>&1
    openssl crl -in crl.pem -outform DER -out crl.der >/dev/null 2>&1
    cp crl.pem crl.der ca.pem "$seeds/certificate/"
  ) || echo "fuzz smoke: could not make a CRL seed (continuing)" >&2
fi

status=0
for t in "${targets[@]}"; do
  seed_dir=$seeds/${t#fuzz_}
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  mkdir -p "$work" "$artifacts"
  echo "fuzz smoke: $t for ${seconds}s ($(find "$seed_dir" -type f | wc -l) seeds)"
  if ! "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$seed_dir" \
      >"$build/$t.log" 2>&1; then
    status=1
    echo "fuzz smoke: $t FAILED; artifacts in $artifacts, log $build/$t.log:" >&2
    tail -n 60 "$build/$t.log" >&2
  else
    grep -E '^stat::number_of_executed_units|^Done' "$build/$t.log" | sed "s/^/  $t: /" || true
  fi
done
if (( status == 0 )); then
  echo "fuzz smoke: ${#targets[@]} targets ran ${seconds}s each without a crash"
fi
exit $status
