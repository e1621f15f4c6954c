// Differential test of the two ECDSA P-384 backends of the report signature (nettle and
// OpenSSL; src/verify/report_signature.hpp): every corpus report with a signing certificate,
// and negatives derived from it (a bit flipped in the signed region, in R, in S), get the same
// verdict from both. No timing here (docs/performance.md has the speed).
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "verify/report_signature.hpp"
#include "veritee/snp/report.hpp"

namespace veritee {
namespace {

using test::ManifestRow;
using verify::P384Backend;

constexpr std::size_t kSigned = snp::layout::SIGNATURE_R.offset;  // [0, 0x2A0)
constexpr std::size_t kR = snp::layout::SIGNATURE_R.offset;
constexpr std::size_t kS = snp::layout::SIGNATURE_S.offset;
constexpr std::size_t kScalar = 48;  // the used part of each 72-byte field

// The verdict of one backend on report bytes (which need not parse as a report).
struct Verdict {
  bool ok = false;
  Errc code = Errc::kInvalidInput;
};

Verdict run(const Bytes& bytes, EVP_PKEY* key, P384Backend backend) {
  ByteView all(bytes);
  auto r = verify::verify_p384_sha384(all.first(kSigned), all.subspan(kR, kScalar),
                                      all.subspan(kS, kScalar), key, backend);
  return r ? Verdict{true, Errc::kInvalidInput} : Verdict{false, r.error().code};
}

// Both backends agree on `bytes`; returns that shared verdict.
testing::AssertionResult agree(const Bytes& bytes, EVP_PKEY* key, bool expected,
                               const std::string& what) {
  const Verdict n = run(bytes, key, P384Backend::kNettle);
  const Verdict o = run(bytes, key, P384Backend::kOpenssl);
  if (n.ok != o.ok || (!n.ok && n.code != o.code)) {
    return testing::AssertionFailure() << what << ": nettle says " << (n.ok ? "ok" : "fails")
                                       << ", OpenSSL says " << (o.ok ? "ok" : "fails");
  }
  if (n.ok != expected) {
    return testing::AssertionFailure() << what << ": both backends say "
                                       << (n.ok ? "ok" : "fails") << ", expected "
                                       << (expected ? "ok" : "fails");
  }
  return testing::AssertionSuccess();
}

class SignedRow : public testing::TestWithParam<ManifestRow> {};

TEST_P(SignedRow, BothBackendsAgreeOnTheReport) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  const Bytes bytes = test::report_bytes_of(row);
  const Endorsements e = test::endorsements_of(row);
  ASSERT_TRUE(e.signer.has_value());
  EVP_PKEY* key = e.signer->public_key();
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report.has_value()) << report.error().message;

  auto nettle = verify::verify_report_signature(*report, key, P384Backend::kNettle);
  auto openssl = verify::verify_report_signature(*report, key, P384Backend::kOpenssl);
  EXPECT_EQ(nettle.has_value(), openssl.has_value());
  if (row.oracle_pass()) {
    EXPECT_TRUE(nettle.has_value()) << nettle.error().message;
    EXPECT_TRUE(openssl.has_value()) << openssl.error().message;
  }
  // The same with the key converted already (the second call hits nettle's key memo).
  EXPECT_EQ(verify::verify_report_signature(*report, key, P384Backend::kNettle).has_value(),
            nettle.has_value());
}

TEST_P(SignedRow, BothBackendsRejectEveryDerivedNegative) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  if (!row.oracle_pass()) GTEST_SKIP() << "negatives are derived from verified reports only";
  const Bytes bytes = test::report_bytes_of(row);
  const Endorsements e = test::endorsements_of(row);
  ASSERT_TRUE(e.signer.has_value());
  EVP_PKEY* key = e.signer->public_key();
  ASSERT_TRUE(agree(bytes, key, true, "the report as signed"));

  auto flipped = [&](std::size_t at, unsigned bit) {
    Bytes b = bytes;
    b[at] = static_cast<std::uint8_t>(b[at] ^ (1u << bit));
    return b;
  };
  // The signed region: the first and last byte, and a stride through it.
  for (std::size_t at = 0; at < kSigned; at += 37) {
    EXPECT_TRUE(agree(flipped(at, at % 8), key, false, "signed byte " + std::to_string(at)));
  }
  EXPECT_TRUE(agree(flipped(kSigned - 1, 7), key, false, "last signed byte"));
  // R and S: every byte of the 48 that hold the scalar, one bit each, plus both ends.
  for (std::size_t i = 0; i < kScalar; ++i) {
    EXPECT_TRUE(agree(flipped(kR + i, i % 8), key, false, "R byte " + std::to_string(i)));
    EXPECT_TRUE(agree(flipped(kS + i, (i + 3) % 8), key, false, "S byte " + std::to_string(i)));
  }
  EXPECT_TRUE(agree(flipped(kR + kScalar - 1, 7), key, false, "R top bit"));
  EXPECT_TRUE(agree(flipped(kS + kScalar - 1, 7), key, false, "S top bit"));
  // R = 0 and S = 0 (out of range [1, n-1]) and R and S swapped.
  Bytes zero_r = bytes;
  std::fill_n(zero_r.begin() + kR, kScalar, 0);
  EXPECT_TRUE(agree(zero_r, key, false, "R = 0"));
  Bytes zero_s = bytes;
  std::fill_n(zero_s.begin() + kS, kScalar, 0);
  EXPECT_TRUE(agree(zero_s, key, false, "S = 0"));
  Bytes swapped = bytes;
  std::swap_ranges(swapped.begin() + kR, swapped.begin() + kR + kScalar, swapped.begin() + kS);
  EXPECT_TRUE(agree(swapped, key, false, "R and S swapped"));
  // All ones: above the group order.
  Bytes big = bytes;
  std::fill_n(big.begin() + kS, kScalar, 0xFF);
  EXPECT_TRUE(agree(big, key, false, "S = 2^384 - 1"));
}

TEST(P384Backend, EnvironmentSelectsOpensslOnlyWhenAsked) {
  // The test runs without VERITEE_P384 unless someone sets it; either way the name matches.
  const char* env = std::getenv("VERITEE_P384");
  const bool openssl = env != nullptr && std::string(env) == "openssl";
  EXPECT_EQ(verify::p384_backend(), openssl ? P384Backend::kOpenssl : P384Backend::kNettle);
  EXPECT_STREQ(verify::to_string(P384Backend::kNettle), "nettle");
  EXPECT_STREQ(verify::to_string(P384Backend::kOpenssl), "openssl");
}

INSTANTIATE_TEST_SUITE_P(Corpus, SignedRow,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.has_signer(); })),
                         test::ManifestRowName{});

}  // namespace
}  // namespace veritee
