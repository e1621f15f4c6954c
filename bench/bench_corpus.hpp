// The corpus reports the benchmarks run on (DESIGN.md 5): one genuine report per product line,
// with the signer and chain MANIFEST.tsv names for it. Read in place, never copied into the
// repository.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/verify/endorsements.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::bench {

struct BenchCase {
  std::string name;                          // "genoa", "milan", "turin"
  std::string report_rel;                    // path relative to the corpus
  std::filesystem::path report;              // absolute
  std::filesystem::path signer;              // VCEK (PEM or DER)
  std::vector<std::filesystem::path> chain;  // ASK+ARK PEM
  std::optional<veritee::TimePoint> at;         // MANIFEST "at", when the chain needs one
  veritee::TimePoint now() const;               // `at`, else the current time
};

// $VERITEE_CORPUS, else the directory the build was configured with.
std::filesystem::path corpus_dir();

// The benchmark cases present in this corpus, in order genoa (v3), milan (v3), turin (v5);
// `only` filters by name (comma separated, empty: all). Throws std::runtime_error when the
// corpus or a named report is missing: a benchmark without its inputs must not print numbers.
std::vector<BenchCase> bench_cases(const std::string& only = {});

// Loaded once, outside any timed loop: the report file's decoded 0x4A0 bytes and the
// endorsements as the verifier takes them.
struct LoadedCase {
  BenchCase spec;
  Bytes file;          // the file as read
  Bytes report;        // the 0x4A0 report bytes (after decoding and unwrapping)
  Bytes signer_bytes;  // the VCEK file as read
  std::vector<Bytes> chain_bytes;
  Endorsements endorsements;
};
LoadedCase load_case(const BenchCase& spec);

// Reads a file or throws std::runtime_error naming it.
Bytes read_or_throw(const std::filesystem::path& path);

}  // namespace veritee::bench
