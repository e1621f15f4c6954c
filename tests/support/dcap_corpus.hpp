// The DCAP corpus (../shared/corpus-dcap beside the SNP corpus, or $VERITEE_CORPUS_DCAP) and its
// MANIFEST.tsv, read in place. Tests skip with a message saying where they looked when absent.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "veritee/common/bytes.hpp"

namespace veritee::test::dcap {

std::optional<std::filesystem::path> corpus_dir();
std::string corpus_location();
std::filesystem::path corpus_path(const std::string& relative);
Bytes read_corpus(const std::string& relative);  // the file's bytes, as stored

struct Row {
  std::string quote, tee, collateral, at, expected, advisories, fmspc, source;
  int version = 0;
  bool placeholder() const { return quote.empty(); }
  bool has_collateral() const { return collateral != "-"; }
  bool expects_error() const { return expected.starts_with("error:"); }
  std::string error_class() const { return expects_error() ? expected.substr(6) : ""; }
  std::string name() const;  // unique, GoogleTest-safe
};
void PrintTo(const Row& row, std::ostream* os);

// Rows of MANIFEST.tsv (one placeholder row when the corpus is absent); `with_collateral`
// selects the verification rows, otherwise every row.
std::vector<Row> rows(bool with_collateral);
// The distinct quotes of the manifest.
std::vector<Row> distinct_quotes();

struct RowName {
  std::string operator()(const testing::TestParamInfo<Row>& info) const {
    return info.param.name();
  }
};

#define VERITEE_REQUIRE_DCAP_CORPUS(row)                                                   \
  if ((row).placeholder()) GTEST_SKIP() << "DCAP corpus absent (looked in "                \
                                        << ::veritee::test::dcap::corpus_location() << ")"

// For tests that read named corpus files rather than MANIFEST rows.
#define VERITEE_REQUIRE_DCAP_CORPUS_DIR()                                                  \
  if (!::veritee::test::dcap::corpus_dir()) GTEST_SKIP() << "DCAP corpus absent (looked in " \
                                                         << ::veritee::test::dcap::corpus_location() << ")"

}  // namespace veritee::test::dcap
