// The check registry is closed and complete: every id the verifier and the appraisal emit on
// real reports (passing and failing) has a row whose blame allows the subject it carried, and
// every row names its AR4SI component, its claim on failure and a documentation line that the
// docs repeat.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "verify/verify_support.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/verify/check_registry.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::verify {
namespace {

TEST(CheckRegistry, EveryRowIsComplete) {
  std::set<std::string_view> ids;
  for (const CheckInfo& c : check_registry()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_FALSE(c.doc.empty()) << c.id << " has no documentation line";
    EXPECT_NE(c.blames & kBlameEither, 0U) << c.id << " blames nobody";
    EXPECT_FALSE(to_string(c.component).empty()) << c.id;
    if (c.stage == Stage::kAppraisal) {
      EXPECT_TRUE(c.id.starts_with("policy.")) << c.id;
      EXPECT_GE(c.on_fail, claim::kContraindicated) << c.id << ": a failed rule must contraindicate";
    } else {
      EXPECT_EQ(c.on_fail, claim::kCryptoFailed) << c.id;
    }
  }
  EXPECT_EQ(find_check("no.such.check"), nullptr);
  EXPECT_FALSE(registered(Check{"no.such.check", CheckStatus::kPass, CheckSubject::kEvidence, ""}));
  EXPECT_FALSE(registered(Check{"report.well_formed", CheckStatus::kFail,
                                CheckSubject::kEndorsement, ""}))
      << "report.well_formed never blames an endorsement";
}

// A family row ("report.reserved.*") registers its prefix followed by exactly one more part.
TEST(CheckRegistry, FamiliesMatchOneMorePart) {
  const CheckInfo* reserved = find_check("report.reserved.0x208");
  ASSERT_NE(reserved, nullptr);
  EXPECT_EQ(reserved->id, "report.reserved.*");
  EXPECT_NE(find_check("report.tcb.reserved.0x180"), nullptr);
  EXPECT_EQ(find_check("report.reserved."), nullptr);
  EXPECT_EQ(find_check("report.reserved.0x208.more"), nullptr);
  EXPECT_EQ(find_check("report.reserved"), nullptr);
}

// Every registered id appears, in backquotes, in the README or the docs that describe it.
TEST(CheckRegistry, EveryIdIsDocumented) {
  std::string text;
  for (const char* rel : {"README.md", "docs/policy.md", "docs/dcap.md", "docs/service.md"}) {
    std::ifstream in(std::filesystem::path(VERITEE_SOURCE_DIR) / rel);
    std::stringstream ss;
    ss << in.rdbuf();
    text += ss.str();
  }
  for (const CheckInfo& c : check_registry()) {
    EXPECT_NE(text.find("`" + std::string(c.id) + "`"), std::string::npos)
        << c.id << " is in the registry but in no document";
  }
}

// A policy with every rule, set so that some pass and some fail on any report.
AppraisalPolicy every_rule() {
  AppraisalPolicy p;
  p.allow_smt = false;
  p.require_single_socket = true;
  p.min_abi = std::pair<std::uint8_t, std::uint8_t>{1, 51};
  p.min_tcb.all.snp = 1;
  p.min_launch_tcb.all.bl = 1;
  p.min_guest_svn = 1;
  p.min_build = 1;
  p.min_version = snp::FirmwareVersion{1, 55, 0};
  p.vmpl = {0};
  p.measurements = {Bytes(48, 0x11)};
  p.host_data = Bytes(32, 0);
  p.family_id = Bytes(16, 0);
  p.image_id = Bytes(16, 0);
  p.id_key_digests = {Bytes(48, 0)};
  p.author_key_digests = {Bytes(48, 0)};
  p.report_id = Bytes(32, 0);
  p.report_id_ma = Bytes(32, 0xff);
  p.chip_ids = {Bytes(64, 0)};
  p.report_data = Bytes(64, 0);
  p.products = {snp::Product::kMilan};
  p.signing_keys = {snp::SigningKey::kVcek};
  p.min_launch_mit_vector = 1;
  p.min_current_mit_vector = 1;
  p.required_policy_bits = {{"SMT", 16}};
  p.required_platform_bits = {{"SMT_EN", 0}};
  return p;
}

TEST(CheckRegistry, EveryEmittedIdIsRegistered) {
  VERITEE_REQUIRE_CORPUS();
  std::set<std::string> seen;
  int reports = 0;
  for (const auto& row : test::all_manifest_rows()) {
    if (!row.has_signer()) continue;
    const Bytes bytes = test::report_bytes_of(row);  // the view reads these bytes
    auto report = snp::Report::parse(bytes);
    if (!report) continue;
    VerifyOptions options;
    options.now = test::row_time(row);
    // With its endorsements, and with none (every check must still be reported).
    for (bool endorsed : {true, false}) {
      Endorsements e = endorsed ? test::endorsements_of(row) : Endorsements{};
      VerificationResult r = Verifier().verify(*report, e, options);
      Appraisal a = appraise(*report, r.product, every_rule());
      for (const CheckList* list : {&r.checks, &a.checks}) {
        for (const Check& c : list->checks) {
          EXPECT_TRUE(registered(c)) << row.report << ": " << c.id << " ("
                                     << (c.subject == CheckSubject::kEvidence ? "evidence"
                                                                              : "endorsement")
                                     << ") has no registry row allowing it";
          seen.insert(c.id);
        }
      }
    }
    ++reports;
  }
  EXPECT_GT(reports, 10);
  for (const char* id : {"report.signature", "chain.signer", "policy.measurement", "policy.min_tcb"}) {
    EXPECT_TRUE(seen.contains(id)) << id << " never emitted";
  }
}

// A report breaking the ABI in two places fails report.well_formed and, each under its own
// registered id, both findings (a real Milan report with two bits changed; the signature breaks
// too, which is beside the point here).
TEST(CheckRegistry, EachFindingIsItsOwnCheck) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::pass_row([](const test::ManifestRow& r) { return r.product == "milan" && r.key == "VCEK"; });
  ASSERT_TRUE(row.has_value());
  Bytes bytes = test::report_bytes_of(*row);
  bytes[0x00A] &= static_cast<std::uint8_t>(~0x02);  // POLICY bit 17 (ABI 1.58 Table 9) cleared
  bytes[0x208] = 1;                                  // RESERVED at 0x208 set
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report.has_value());
  VerifyOptions options;
  options.now = test::row_time(*row);
  VerificationResult r = Verifier().verify(*report, test::endorsements_of(*row), options);
  for (const char* id : {"report.well_formed", "report.policy.bit17", "report.reserved.0x208"}) {
    const Check* c = r.checks.find(id);
    ASSERT_NE(c, nullptr) << id << " missing";
    EXPECT_EQ(c->status, CheckStatus::kFail) << id;
    EXPECT_TRUE(registered(*c)) << id;
  }
  EXPECT_NE(r.checks.find("report.policy.bit17")->detail.find("bit 17"), std::string::npos);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

}  // namespace
}  // namespace veritee::verify
