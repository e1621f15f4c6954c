// The verifier against a private PKI pinned with TrustStore::pin: real report contents re-signed
// with a test VCEK, so the chain, CRL, TCB and CHIP_ID checks can each be made to fail alone.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/test_pki.hpp"
#include "verify/verify_support.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee {
namespace {

using test::check_is;
using test::dump;
using test::ManifestRow;
using test::utc;

class TestPkiVerify : public testing::TestWithParam<snp::Product> {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    product_ = GetParam();
    auto row = test::pass_row([&](const ManifestRow& r) {
      return r.key == "VCEK" && r.product_value() == product_;
    });
    if (!row) GTEST_SKIP() << "no VCEK report for " << snp::to_string(product_);
    Bytes original = test::report_bytes_of(*row);
    pki_.emplace(test::make_test_pki(product_, original));
    report_ = test::sign_report(original, pki_->vcek_key.get());
    now_ = utc(2030, 1, 1);
  }

  Endorsements endorsements() const {
    Endorsements e;
    e.signer = pki_->vcek;
    e.chain = {pki_->ask, pki_->ark};
    return e;
  }
  VerificationResult run(const Bytes& report, const Endorsements& e,
                         std::optional<snp::Product> product = std::nullopt,
                         bool require_crl = false) const {
    auto parsed = snp::Report::parse(report);
    if (!parsed) {
      ADD_FAILURE() << parsed.error().message;
      return {};
    }
    VerifyOptions o;
    o.now = now_;
    o.product = product;
    o.require_crl = require_crl;
    return Verifier(pki_->store).verify(*parsed, e, o);
  }
  // A test VCEK with the given extensions, signed by the test ASK.
  x509::Certificate vcek_with(const x509::AmdExtensions& ext, std::int64_t serial = 0x1003) const {
    test::CertSpec spec{"SEV-VCEK", "SEV-" + std::string(snp::kds_name(product_)), serial,
                        test::default_not_before(), test::default_not_after(), false, ext, {}};
    return test::to_certificate(
        test::make_certificate_der(spec, pki_->vcek_key.get(), pki_->ask_key.get()));
  }

  snp::Product product_ = snp::Product::kMilan;
  std::optional<test::TestPki> pki_;
  Bytes report_;
  veritee::TimePoint now_;
};

TEST_P(TestPkiVerify, ResignedReportVerifiesAgainstPinnedTestRoots) {
  auto result = run(report_, endorsements());
  EXPECT_TRUE(result.verified()) << dump(result.checks);
  EXPECT_EQ(result.product, product_);
}

TEST_P(TestPkiVerify, ResignedReportFailsAgainstAmdRoots) {
  auto parsed = snp::Report::parse(report_);
  ASSERT_TRUE(parsed.has_value());
  VerifyOptions o;
  o.now = now_;
  auto result = Verifier().verify(*parsed, endorsements(), o);
  EXPECT_FALSE(result.verified()) << "a test ARK is not AMD's\n" << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "chain.ark", CheckStatus::kFail));
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST_P(TestPkiVerify, RealAmdSignedReportFailsWithTestVcek) {
  // The original (AMD-signed) report with the test VCEK: same TCB and chip, other key.
  auto row = test::pass_row([&](const ManifestRow& r) {
    return r.key == "VCEK" && r.product_value() == product_;
  });
  auto result = run(test::report_bytes_of(*row), endorsements());
  EXPECT_FALSE(result.verified());
  EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kFail));
  EXPECT_TRUE(check_is(result.checks, "report.tcb", CheckStatus::kPass));
  EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kPass));
  EXPECT_EQ(result.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(TestPkiVerify, CrlNotRevokingPasses) {
  Endorsements e = endorsements();
  auto crl = x509::Crl::load(test::make_crl_der("ARK-" + std::string(snp::kds_name(product_)),
                                                pki_->ark_key.get(), utc(2029, 12, 1),
                                                utc(2030, 2, 1), {0x4242}));
  ASSERT_TRUE(crl.has_value()) << crl.error().message;
  e.crl = *crl;
  auto result = run(report_, e, std::nullopt, /*require_crl=*/true);
  EXPECT_TRUE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kPass));
}

TEST_P(TestPkiVerify, CrlRevokingAskOrVcekFails) {
  for (std::int64_t serial : {0x1002LL, 0x1003LL}) {
    Endorsements e = endorsements();
    auto crl = x509::Crl::load(test::make_crl_der("ARK-" + std::string(snp::kds_name(product_)),
                                                  pki_->ark_key.get(), utc(2029, 12, 1),
                                                  utc(2030, 2, 1), {serial}));
    ASSERT_TRUE(crl.has_value()) << crl.error().message;
    e.crl = *crl;
    auto result = run(report_, e);
    EXPECT_FALSE(result.verified()) << "serial " << serial << "\n" << dump(result.checks);
    EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kFail)) << "serial " << serial;
    EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem);
  }
}

TEST_P(TestPkiVerify, CrlNotCurrentOrWronglySignedFails) {
  std::string ark_cn = "ARK-" + std::string(snp::kds_name(product_));
  {
    Endorsements e = endorsements();
    e.crl = *x509::Crl::load(test::make_crl_der(ark_cn, pki_->ark_key.get(), utc(2029, 1, 1),
                                                utc(2029, 2, 1), {}));
    auto result = run(report_, e);
    EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kFail)) << "expired CRL";
  }
  {
    Endorsements e = endorsements();
    e.crl = *x509::Crl::load(test::make_crl_der(ark_cn, pki_->ask_key.get(), utc(2029, 12, 1),
                                                utc(2030, 2, 1), {}));
    auto result = run(report_, e);
    EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kFail)) << "CRL signed by ASK";
  }
}

TEST_P(TestPkiVerify, RequireCrlWithoutOneFails) {
  auto result = run(report_, endorsements(), std::nullopt, /*require_crl=*/true);
  EXPECT_FALSE(result.verified());
  EXPECT_TRUE(check_is(result.checks, "chain.crl", CheckStatus::kFail));
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST_P(TestPkiVerify, TcbMismatchFails) {
  auto ext = test::extensions_for_report(report_, product_);
  *ext.snp_spl = static_cast<std::uint8_t>(*ext.snp_spl + 1);
  Endorsements e = endorsements();
  e.signer = vcek_with(ext);
  auto result = run(report_, e);
  EXPECT_FALSE(result.verified());
  EXPECT_TRUE(check_is(result.checks, "report.tcb", CheckStatus::kFail));
  EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kPass))
      << "only the TCB differs";
  EXPECT_EQ(result.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(TestPkiVerify, FmcMismatchFailsOnTurinOnly) {
  auto ext = test::extensions_for_report(report_, product_);
  ext.fmc_spl = static_cast<std::uint8_t>(ext.fmc_spl.value_or(0) + 1);
  Endorsements e = endorsements();
  e.signer = vcek_with(ext);
  auto result = run(report_, e);
  if (product_ == snp::Product::kTurin) {
    EXPECT_TRUE(check_is(result.checks, "report.tcb", CheckStatus::kFail));
  } else {
    EXPECT_TRUE(check_is(result.checks, "report.tcb", CheckStatus::kPass))
        << "no FMC in the Milan/Genoa layout";
  }
}

TEST_P(TestPkiVerify, HwIdMismatchFails) {
  auto ext = test::extensions_for_report(report_, product_);
  ext.hw_id->back() ^= 0x01;
  Endorsements e = endorsements();
  e.signer = vcek_with(ext);
  auto result = run(report_, e);
  EXPECT_FALSE(result.verified());
  EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kFail));
  EXPECT_TRUE(check_is(result.checks, "report.signature", CheckStatus::kPass));
}

TEST_P(TestPkiVerify, WrongHwIdLengthFails) {
  auto ext = test::extensions_for_report(report_, product_);
  ext.hw_id->resize(product_ == snp::Product::kTurin ? 64 : 8);  // the other product's length
  Endorsements e = endorsements();
  e.signer = vcek_with(ext);
  auto result = run(report_, e);
  EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kFail));
}

TEST_P(TestPkiVerify, MaskChipKeySkipsChipId) {
  Bytes masked = report_;
  masked[0x048] |= 0x02;                                      // MASK_CHIP_KEY
  std::fill(masked.begin() + 0x1A0, masked.begin() + 0x1E0, 0);  // CHIP_ID zero
  masked = test::sign_report(masked, pki_->vcek_key.get());
  auto result = run(masked, endorsements());
  EXPECT_TRUE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kSkip));
}

TEST_P(TestPkiVerify, SigningKeyNoneOrReservedFailsKeyKind) {
  for (std::uint8_t field : {std::uint8_t{7}, std::uint8_t{3}}) {
    Bytes b = report_;
    b[0x048] = static_cast<std::uint8_t>((b[0x048] & ~0x1C) | (field << 2));
    b = test::sign_report(b, pki_->vcek_key.get());
    auto result = run(b, endorsements());
    EXPECT_FALSE(result.verified()) << "SIGNING_KEY " << int(field) << "\n" << dump(result.checks);
    EXPECT_TRUE(check_is(result.checks, "signer.key_kind", CheckStatus::kFail))
        << "SIGNING_KEY " << int(field);
  }
}

TEST_P(TestPkiVerify, TurinChipIdTailMustBeZero) {
  if (product_ != snp::Product::kTurin) GTEST_SKIP() << "Turin only: hwID is CHIP_ID[0:8]";
  Bytes b = report_;
  b[0x1A0 + 20] ^= 0x01;  // inside CHIP_ID, past the 8 bytes Turin uses
  b = test::sign_report(b, pki_->vcek_key.get());
  auto result = run(b, endorsements());
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "report.chip_id", CheckStatus::kFail));
}

TEST_P(TestPkiVerify, ExpiredVcekFailsUnlessNowInside) {
  auto expiring = test::make_test_pki(product_, report_, utc(2024, 1, 1), utc(2025, 1, 1));
  Bytes signed_report = test::sign_report(report_, expiring.vcek_key.get());
  Endorsements e;
  e.signer = expiring.vcek;
  auto parsed = snp::Report::parse(signed_report);
  ASSERT_TRUE(parsed.has_value());
  VerifyOptions o;
  o.now = utc(2026, 1, 1);
  auto late = Verifier(expiring.store).verify(*parsed, e, o);
  EXPECT_FALSE(late.verified());
  EXPECT_TRUE(check_is(late.checks, "chain.validity", CheckStatus::kFail));
  EXPECT_EQ(late.checks.verdict(), Verdict::kEndorsementProblem);
  o.now = utc(2024, 6, 1);
  auto inside = Verifier(expiring.store).verify(*parsed, e, o);
  EXPECT_TRUE(inside.verified()) << dump(inside.checks);
}

TEST_P(TestPkiVerify, ChainWithUnpinnedArkRejected) {
  // A second test PKI with the same names: its ARK is not the pinned one.
  auto other = test::make_test_pki(product_, report_);
  // make_test_pki reuses the process's RSA keys, so build a distinct ARK here.
  auto other_key = test::make_rsa_key(2048);
  std::string name(snp::kds_name(product_));
  test::CertSpec spec{"ARK-" + name, "ARK-" + name, 0x9999, test::default_not_before(),
                      test::default_not_after(), true, std::nullopt, {}};
  auto rogue_ark =
      test::to_certificate(test::make_certificate_der(spec, other_key.get(), other_key.get()));
  Endorsements e = endorsements();
  e.chain = {pki_->ask, rogue_ark};
  auto result = run(report_, e);
  EXPECT_FALSE(result.verified());
  EXPECT_TRUE(check_is(result.checks, "chain.ark", CheckStatus::kFail));
  EXPECT_EQ(result.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST_P(TestPkiVerify, AskNotSignedByArkRejected) {
  auto other_key = test::make_rsa_key(2048);
  std::string name(snp::kds_name(product_));
  test::CertSpec spec{"SEV-" + name, "ARK-" + name, 0x1002, test::default_not_before(),
                      test::default_not_after(), true, std::nullopt, {}};
  // The ASK's own key, but self-signed instead of signed by the ARK.
  auto rogue_ask = test::to_certificate(
      test::make_certificate_der(spec, pki_->ask_key.get(), other_key.get()));
  Endorsements e = endorsements();
  e.chain = {rogue_ask, pki_->ark};
  auto result = run(report_, e);
  EXPECT_FALSE(result.verified()) << dump(result.checks);
  EXPECT_TRUE(check_is(result.checks, "chain.ask", CheckStatus::kFail));
}

INSTANTIATE_TEST_SUITE_P(Product, TestPkiVerify,
                         testing::Values(snp::Product::kMilan, snp::Product::kGenoa,
                                         snp::Product::kTurin),
                         [](const testing::TestParamInfo<snp::Product>& p) {
                           return std::string(snp::kds_name(p.param));
                         });

TEST(CheckList, ExitCodeFromChecks) {
  CheckList list;
  EXPECT_TRUE(list.passed());
  EXPECT_EQ(list.verdict(), Verdict::kVerified);
  list.add({"a", CheckStatus::kPass, CheckSubject::kEvidence, "x"});
  list.add({"b", CheckStatus::kSkip, CheckSubject::kEndorsement, "y"});
  EXPECT_TRUE(list.passed());
  EXPECT_EQ(list.verdict(), Verdict::kVerified);
  list.add({"c", CheckStatus::kFail, CheckSubject::kEndorsement, "z"});
  EXPECT_FALSE(list.passed());
  EXPECT_EQ(list.verdict(), Verdict::kEndorsementProblem);
  list.add({"d", CheckStatus::kFail, CheckSubject::kEvidence, "w"});
  EXPECT_EQ(list.verdict(), Verdict::kEvidenceFailed) << "an evidence failure outranks";
  ASSERT_NE(list.find("c"), nullptr);
  EXPECT_EQ(list.find("c")->detail, "z");
  EXPECT_EQ(list.find("nope"), nullptr);
  EXPECT_EQ(to_string(CheckStatus::kPass), "pass");
  EXPECT_EQ(to_string(CheckStatus::kFail), "fail");
  EXPECT_EQ(to_string(CheckStatus::kSkip), "skip");
}

}  // namespace
}  // namespace veritee
