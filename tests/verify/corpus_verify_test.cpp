// End-to-end verification of every corpus report an independent implementation verified (oracle
// PASS), and negatives derived from those real reports.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "verify/verify_support.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee {
namespace {

using test::check_is;
using test::dump;
using test::ManifestRow;

struct Loaded {
  Bytes bytes;
  Endorsements endorsements;
  VerifyOptions options;
};

Loaded load(const ManifestRow& row) {
  Loaded l;
  l.bytes = test::report_bytes_of(row);
  l.endorsements = test::endorsements_of(row);
  l.options.now = test::row_time(row);
  return l;
}

VerificationResult verify_bytes(const Bytes& bytes, const Endorsements& e, const VerifyOptions& o,
                                const Verifier& verifier = Verifier()) {
  auto report = snp::Report::parse(bytes);
  if (!report) {
    ADD_FAILURE() << report.error().message;
    return {};
  }
  return verifier.verify(*report, e, o);
}

class PassRow : public testing::TestWithParam<ManifestRow> {};

TEST_P(PassRow, VerifiesWithSignerAndChain) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  auto result = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_TRUE(result.verified()) << dump(result.checks);
  EXPECT_EQ(result.checks.verdict(), Verdict::kVerified) << dump(result.checks);
  ASSERT_TRUE(result.product.has_value());
  EXPECT_EQ(snp::to_string(*result.product), row.product);

  // Each documented check ran and passed (chip id is skipped for VLEK-signed reports).
  const bool vlek = row.key == "VLEK";
  for (const char* id : {"report.well_formed", "product", "chain.ark", "chain.signer",
                         "signer.key_kind", "chain.validity", "report.signature", "report.tcb"}) {
    EXPECT_TRUE(check_is(result.checks, id, CheckStatus::kPass));
  }
  EXPECT_TRUE(check_is(result.checks, vlek ? "chain.asvk" : "chain.ask", CheckStatus::kPass));
  EXPECT_TRUE(check_is(result.checks, "report.chip_id",
                       vlek ? CheckStatus::kSkip : CheckStatus::kPass));
  EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kSkip)) << "no CRL given";
  for (const auto& c : result.checks.checks) {
    EXPECT_FALSE(c.detail.empty()) << c.id << " has no sentence";
  }
}

TEST_P(PassRow, VerifiesWithPinnedRootsOnly) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  l.endorsements.chain.clear();
  auto result = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_TRUE(result.verified()) << "the chain is optional: AMD's roots are pinned\n"
                                 << dump(result.checks);
}

TEST_P(PassRow, UserProductThatAgreesStillVerifies) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  l.options.product = row.product_value();
  auto result = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_TRUE(result.verified()) << dump(result.checks);
}

TEST_P(PassRow, MissingSignerIsEndorsementFailure) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  l.endorsements.signer.reset();
  l.options.product = row.product_value();  // v2 reports name no product without a certificate
  auto result = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_FALSE(result.verified());
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem) << dump(result.checks);
  const Check* sig = result.checks.find("report.signature");
  ASSERT_NE(sig, nullptr) << dump(result.checks);
  EXPECT_EQ(sig->status, CheckStatus::kFail);
  EXPECT_EQ(sig->subject, CheckSubject::kEndorsement);
}

TEST_P(PassRow, MissingSignerWithoutProductIsStillExit3) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  l.endorsements.signer.reset();
  l.endorsements.chain.clear();
  auto result = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_FALSE(result.verified());
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem) << dump(result.checks);
}

TEST_P(PassRow, ValidityDependsOnNow) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  ASSERT_TRUE(l.endorsements.signer.has_value());
  const auto& signer = *l.endorsements.signer;
  // Before the signer's notBefore and after its notAfter: fails on validity (an endorsement
  // problem, exit 3); exactly at notBefore: passes.
  for (auto when : {signer.not_before() - std::chrono::hours(24),
                    signer.not_after() + std::chrono::seconds(1)}) {
    l.options.now = when;
    auto result = verify_bytes(l.bytes, l.endorsements, l.options);
    EXPECT_FALSE(result.verified()) << veritee::format_time(when) << "\n" << dump(result.checks);
    EXPECT_TRUE(check_is(result.checks, "chain.validity", CheckStatus::kFail));
    EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem) << dump(result.checks);
  }
  l.options.now = signer.not_before();
  auto at_start = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_TRUE(at_start.verified()) << dump(at_start.checks);
}

TEST_P(PassRow, FlippedSignedBitFailsSignature) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Loaded l = load(row);
  // Every 7th byte of the signed region, plus the first and last byte of each field.
  std::vector<std::size_t> offsets;
  for (std::size_t at = 0; at < snp::kSignedSize; at += 7) offsets.push_back(at);
  for (std::size_t at :
       {0x000, 0x004, 0x008, 0x010, 0x020, 0x030, 0x034, 0x038, 0x040, 0x048, 0x04C, 0x050, 0x08F,
        0x090, 0x0C0, 0x0E0, 0x110, 0x140, 0x160, 0x180, 0x187, 0x188, 0x18B, 0x1A0, 0x1DF, 0x1E0,
        0x1E8, 0x1EB, 0x1EC, 0x1EF, 0x1F0, 0x1F8, 0x200, 0x208, 0x29F}) {
    offsets.push_back(at);
  }
  // And the signature itself.
  for (std::size_t at : {0x2A0, 0x2C7, 0x2E8, 0x30F}) offsets.push_back(at);
  int bit = 0;
  for (std::size_t at : offsets) {
    Bytes b = l.bytes;
    b[at] ^= static_cast<std::uint8_t>(1U << (bit++ % 8));
    auto result = verify_bytes(b, l.endorsements, l.options);
    EXPECT_FALSE(result.verified()) << "byte 0x" << std::hex << at;
    EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kFail))
        << "byte 0x" << std::hex << at;
    EXPECT_NE(result.checks.verdict(), Verdict::kVerified);
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, PassRow,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.oracle_pass(); })),
                         test::ManifestRowName{});

// Rows that are not verifiable: unknown versions fail well-formedness whatever the certificate.
class UnknownVersionRow : public testing::TestWithParam<ManifestRow> {};

TEST_P(UnknownVersionRow, NeverVerifies) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto milan = test::pass_row([](const ManifestRow& r) { return r.product == "milan" && r.key == "VCEK"; });
  ASSERT_TRUE(milan.has_value());
  Endorsements e = test::endorsements_of(*milan);
  VerifyOptions o;
  o.now = std::chrono::system_clock::now();
  o.product = snp::Product::kMilan;
  auto result = verify_bytes(test::report_bytes_of(row), e, o);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "report.well_formed", CheckStatus::kFail));
  const Check* wf = result.checks.find("report.well_formed");
  ASSERT_NE(wf, nullptr);
  EXPECT_NE(wf->detail.find("version"), std::string::npos) << wf->detail;
  EXPECT_EQ(result.checks.verdict(), Verdict::kEvidenceFailed);
}

INSTANTIATE_TEST_SUITE_P(Manifest, UnknownVersionRow,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.version < 2; })),
                         test::ManifestRowName{});

TEST(VerifyNegative, AnotherChipsVcekFails) {
  VERITEE_REQUIRE_CORPUS();
  // Pairs of Milan VCEK rows whose signers differ in hwID.
  auto rows = test::load_manifest();
  int tried = 0;
  for (const auto& a : rows) {
    if (!a.oracle_pass() || a.key != "VCEK" || a.product != "milan") continue;
    for (const auto& b : rows) {
      if (!b.oracle_pass() || b.key != "VCEK" || b.product != "milan" || b.signer == a.signer) continue;
      Bytes ra = test::report_bytes_of(a);
      Bytes rb = test::report_bytes_of(b);
      if (std::equal(ra.begin() + 0x1A0, ra.begin() + 0x1E0, rb.begin() + 0x1A0)) continue;
      Endorsements e = test::endorsements_of(b);  // b's VCEK for a's report
      VerifyOptions o;
      o.now = test::row_time(a);
      auto result = verify_bytes(ra, e, o);
      EXPECT_FALSE(result.verified()) << a.report << " with " << b.signer;
      EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kFail));
      EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kFail));
      EXPECT_EQ(result.checks.verdict(), Verdict::kEvidenceFailed);
      if (++tried >= 3) return;
      break;
    }
  }
  if (tried == 0) GTEST_SKIP() << "no two Milan VCEKs of different chips in corpus";
}

TEST(VerifyNegative, TurinReportForcedToMilanNeverPasses) {
  VERITEE_REQUIRE_CORPUS();
  auto turin = test::pass_row([](const ManifestRow& r) { return r.product == "turin"; });
  if (!turin) GTEST_SKIP() << "no Turin report";
  Bytes b = test::report_bytes_of(*turin);
  for (bool with_chain : {true, false}) {
    Endorsements e = test::endorsements_of(*turin);
    if (!with_chain) e.chain.clear();
    VerifyOptions o;
    o.now = test::row_time(*turin);
    o.product = snp::Product::kMilan;
    auto result = verify_bytes(b, e, o);
    EXPECT_FALSE(result.verified()) << dump(result.checks);
    EXPECT_TRUE(check_is(result.checks, "product", CheckStatus::kFail));
    const Check* p = result.checks.find("product");
    ASSERT_NE(p, nullptr);
    EXPECT_NE(p->detail.find("mismatch"), std::string::npos) << p->detail;
    EXPECT_FALSE(result.product.has_value() && *result.product == snp::Product::kMilan)
        << "never decided as Milan";
    // Never a Milan-layout TCB comparison that passes.
    const Check* tcb = result.checks.find("report.tcb");
    if (tcb != nullptr) {
      EXPECT_NE(tcb->status, CheckStatus::kPass) << dump(result.checks);
    }
  }
}

TEST(VerifyNegative, GenoaReportForcedToTurinNeverPasses) {
  VERITEE_REQUIRE_CORPUS();
  auto genoa = test::pass_row([](const ManifestRow& r) { return r.product == "genoa"; });
  if (!genoa) GTEST_SKIP() << "no Genoa report";
  Endorsements e = test::endorsements_of(*genoa);
  VerifyOptions o;
  o.now = test::row_time(*genoa);
  o.product = snp::Product::kTurin;
  auto result = verify_bytes(test::report_bytes_of(*genoa), e, o);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "product", CheckStatus::kFail));
}

TEST(VerifyNegative, V2ReportWithWrongProductNeverPasses) {
  // A v2 Milan report has no CPUID: a user saying Genoa disagrees with the VCEK's productName.
  VERITEE_REQUIRE_CORPUS();
  auto row = test::pass_row([](const ManifestRow& r) {
    return r.version == 2 && r.product == "milan" && r.key == "VCEK";
  });
  if (!row) GTEST_SKIP();
  Endorsements e = test::endorsements_of(*row);
  VerifyOptions o;
  o.now = test::row_time(*row);
  o.product = snp::Product::kGenoa;
  auto result = verify_bytes(test::report_bytes_of(*row), e, o);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "product", CheckStatus::kFail));
}

TEST(VerifyNegative, VlekReportWithVcekFailsKeyKind) {
  VERITEE_REQUIRE_CORPUS();
  auto vlek = test::pass_row([](const ManifestRow& r) { return r.key == "VLEK" && r.product == "milan"; });
  auto vcek = test::pass_row([](const ManifestRow& r) { return r.key == "VCEK" && r.product == "milan"; });
  if (!vlek || !vcek) GTEST_SKIP() << "need a Milan VLEK and VCEK row";
  {
    Endorsements e = test::endorsements_of(*vcek);  // a VCEK (and ASK chain) for a VLEK report
    VerifyOptions o;
    o.now = test::row_time(*vlek);
    auto result = verify_bytes(test::report_bytes_of(*vlek), e, o);
    EXPECT_FALSE(result.verified());
    EXPECT_TRUE(check_is(result.checks, "signer.key_kind", CheckStatus::kFail));
    EXPECT_EQ(result.checks.verdict(), Verdict::kEvidenceFailed);
  }
  {
    Endorsements e = test::endorsements_of(*vlek);  // a VLEK for a VCEK-signed report
    VerifyOptions o;
    o.now = test::row_time(*vlek);
    auto result = verify_bytes(test::report_bytes_of(*vcek), e, o);
    EXPECT_FALSE(result.verified());
    EXPECT_TRUE(check_is(result.checks, "signer.key_kind", CheckStatus::kFail));
  }
}

TEST(VerifyNegative, VlekOutsideItsYearFailsUnlessAtInside) {
  VERITEE_REQUIRE_CORPUS();
  auto vlek = test::pass_row([](const ManifestRow& r) { return r.key == "VLEK" && r.at != "-"; });
  if (!vlek) GTEST_SKIP();
  Loaded l = load(*vlek);
  auto inside = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_TRUE(inside.verified()) << dump(inside.checks);
  l.options.now = l.endorsements.signer->not_after() + std::chrono::hours(24 * 30);
  auto after = verify_bytes(l.bytes, l.endorsements, l.options);
  EXPECT_FALSE(after.verified());
  EXPECT_TRUE(check_is(after.checks, "chain.validity", CheckStatus::kFail));
  const Check* v = after.checks.find("chain.validity");
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->detail.find(veritee::format_time(l.options.now)), std::string::npos)
      << "the detail names the time used: " << v->detail;
}

TEST(VerifyNegative, ChainFromAnotherProductRejected) {
  VERITEE_REQUIRE_CORPUS();
  auto milan = test::pass_row([](const ManifestRow& r) { return r.product == "milan" && r.key == "VCEK"; });
  auto genoa = test::pass_row([](const ManifestRow& r) { return r.product == "genoa"; });
  if (!milan || !genoa) GTEST_SKIP();
  Endorsements e = test::endorsements_of(*milan);
  e.chain = test::endorsements_of(*genoa).chain;  // Genoa ASK + ARK for a Milan VCEK
  VerifyOptions o;
  o.now = test::row_time(*milan);
  auto result = verify_bytes(test::report_bytes_of(*milan), e, o);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  const Check* product = result.checks.find("product");
  const Check* ark = result.checks.find("chain.ark");
  EXPECT_TRUE((product && !product->ok()) || (ark && !ark->ok())) << dump(result.checks);
  // The report and its VCEK are genuine; the chain is the unusable endorsement (exit 3).
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem) << dump(result.checks);
  // With the right chain the same evidence verifies: the chain alone made the difference.
  e.chain = test::endorsements_of(*milan).chain;
  EXPECT_TRUE(verify_bytes(test::report_bytes_of(*milan), e, o).verified());
}

TEST(VerifyNegative, SignerFromAnotherProductRejected) {
  // A Genoa VCEK offered for a Milan report: productName disagrees, signature fails.
  VERITEE_REQUIRE_CORPUS();
  auto milan = test::pass_row([](const ManifestRow& r) { return r.product == "milan" && r.version >= 3; });
  auto genoa = test::pass_row([](const ManifestRow& r) { return r.product == "genoa"; });
  if (!milan || !genoa) GTEST_SKIP();
  Endorsements e = test::endorsements_of(*genoa);
  VerifyOptions o;
  o.now = test::row_time(*milan);
  auto result = verify_bytes(test::report_bytes_of(*milan), e, o);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "product", CheckStatus::kFail));
  EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kFail));
}

TEST(VerifyNegative, MemoGivesSameResults) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::pass_row([](const ManifestRow&) { return true; });
  ASSERT_TRUE(row.has_value());
  Loaded l = load(*row);
  VerifiedLinks memo;
  Verifier memoized(snp::TrustStore::amd(), memo);
  for (int i = 0; i < 2; ++i) {
    auto result = verify_bytes(l.bytes, l.endorsements, l.options, memoized);
    EXPECT_TRUE(result.verified()) << "round " << i << "\n" << dump(result.checks);
  }
  Bytes flipped = l.bytes;
  flipped[0x90] ^= 1;
  auto bad = verify_bytes(flipped, l.endorsements, l.options, memoized);
  EXPECT_TRUE(check_is(bad.checks, "report.signature", CheckStatus::kFail));
}

}  // namespace
}  // namespace veritee
