// The shared evidence corpus (../shared/corpus, or $VERITEE_CORPUS) and its MANIFEST.tsv, read in
// place: tests never copy corpus files into the repository. When the corpus is absent the
// corpus-driven tests skip with a message saying where they looked.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "veritee/common/bytes.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::test {

// $VERITEE_CORPUS if set, else the VERITEE_CORPUS_DIR the build was configured with; empty when
// that directory has no MANIFEST.tsv.
std::optional<std::filesystem::path> corpus_dir();
// Where corpus_dir() looked, for skip messages.
std::string corpus_location();

// One line of MANIFEST.tsv (DESIGN.md section 5).
struct ManifestRow {
  std::string report;    // path relative to the corpus
  std::string encoding;  // "binary", "hex", "base64", "binary+azure-hcl-report@0x20", ...
  int version = -1;
  std::string product;  // milan/genoa/turin or "-"
  std::string key;      // VCEK or VLEK
  std::string signer;   // path or "-"
  std::string chain;    // path or "-"
  std::string at;       // RFC 3339 time or "-"
  std::string oracle;   // PASS or "-"

  // "binary", "hex" or "base64": the text encoding before any container.
  std::string base_encoding() const;
  // "" for a raw report, else the container named after '+' (up to '@' or ' ').
  std::string container() const;
  // The report offset inside the decoded input (0 for a raw report), from the "@0x.." suffix.
  std::size_t report_offset() const;
  bool has_signer() const { return signer != "-"; }
  bool has_chain() const { return chain != "-"; }
  bool oracle_pass() const { return oracle == "PASS"; }
  std::optional<snp::Product> product_value() const;  // nullopt for "-"
  // A GoogleTest-safe unique name derived from the report path.
  std::string test_name() const;
  // Placeholder row standing in for an absent corpus (so parameterized suites instantiate and
  // skip, rather than silently having no tests).
  bool is_placeholder() const { return report.empty(); }
};

void PrintTo(const ManifestRow& row, std::ostream* os);

// Every row of MANIFEST.tsv; empty when the corpus is absent. Throws std::runtime_error on a
// malformed manifest (a test-infrastructure failure, not a skip).
std::vector<ManifestRow> load_manifest();
// Rows passing `keep`, or one placeholder row when there are none (absent corpus).
template <class Pred>
std::vector<ManifestRow> manifest_rows(Pred keep) {
  std::vector<ManifestRow> out;
  for (auto& row : load_manifest()) {
    if (keep(row)) out.push_back(row);
  }
  if (out.empty()) out.push_back(ManifestRow{});
  return out;
}
std::vector<ManifestRow> all_manifest_rows();

// For INSTANTIATE_TEST_SUITE_P(..., testing::ValuesIn(...), ManifestRowName{}).
struct ManifestRowName {
  std::string operator()(const testing::TestParamInfo<ManifestRow>& info) const;
};

// Absolute path of a corpus file.
std::filesystem::path corpus_path(std::string_view relative);
// The bytes of a corpus file; fails the current test (ADD_FAILURE) and returns empty on error.
Bytes read_corpus(std::string_view relative);
// The file's bytes decoded per the row's base encoding (hex/base64 text decoded independently
// of the library, with whitespace ignored).
Bytes decoded_input(const ManifestRow& row);
// The 0x4A0 report bytes inside the row's input (decoded_input at report_offset()).
Bytes report_bytes_of(const ManifestRow& row);

// The row's `at` column as a time, or the current time for "-".
veritee::TimePoint row_time(const ManifestRow& row);

// Endorsements for a row (signer + chain from the corpus); ADD_FAILURE on load errors.
Endorsements endorsements_of(const ManifestRow& row);

// The first manifest row matching a predicate, if any.
template <class Pred>
std::optional<ManifestRow> find_row(Pred pred) {
  for (auto& row : load_manifest()) {
    if (pred(row)) return row;
  }
  return std::nullopt;
}

// Independent little-endian helpers (not ByteReader: tests must not mirror the implementation).
std::uint32_t le32(const Bytes& b, std::size_t at);
std::uint64_t le64(const Bytes& b, std::size_t at);

}  // namespace veritee::test

// Skips the current test when there is no corpus.
#define VERITEE_REQUIRE_CORPUS()                                                       \
  do {                                                                                 \
    if (!::veritee::test::corpus_dir()) {                                              \
      GTEST_SKIP() << "evidence corpus not found (looked in "                          \
                   << ::veritee::test::corpus_location()                               \
                   << "); set VERITEE_CORPUS to the corpus directory to run this test"; \
    }                                                                                  \
  } while (false)

// Skips a manifest-parameterized test when it got the placeholder row.
#define VERITEE_REQUIRE_ROW(row)                                                        \
  do {                                                                                  \
    VERITEE_REQUIRE_CORPUS();                                                           \
    if ((row).is_placeholder()) GTEST_SKIP() << "no manifest rows of this kind in corpus"; \
  } while (false)
