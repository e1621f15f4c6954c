// Certificates and CRLs from a private PKI generated in the test with OpenSSL: AMD extensions as
// written, RSA-PSS signatures, CRL signature, currency and revocation.
#include <gtest/gtest.h>

#include "support/test_pki.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee::x509 {
namespace {

using test::CertSpec;
using test::utc;

// One RSA ARK/ASK key pair and a few certificates, shared by the tests of this file.
class TestPkiFixture : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    ark_key_ = test::make_rsa_key(2048);
    ask_key_ = test::make_rsa_key(2048);
  }
  static void TearDownTestSuite() {
    ark_key_.reset();
    ask_key_.reset();
  }

  static Certificate ark() {
    CertSpec spec{"ARK-Milan", "ARK-Milan", 0x11, test::default_not_before(),
                  test::default_not_after(), true, std::nullopt, {}};
    return test::to_certificate(test::make_certificate_der(spec, ark_key_.get(), ark_key_.get()));
  }
  static Certificate ask() {
    CertSpec spec{"SEV-Milan", "ARK-Milan", 0x22, test::default_not_before(),
                  test::default_not_after(), true, std::nullopt, {}};
    return test::to_certificate(test::make_certificate_der(spec, ask_key_.get(), ark_key_.get()));
  }
  static Certificate vcek(const AmdExtensions& ext, std::vector<std::pair<std::string, Bytes>> raw = {},
                          std::int64_t serial = 0x33) {
    auto key = test::make_p384_key();
    CertSpec spec{"SEV-VCEK", "SEV-Milan", serial, test::default_not_before(),
                  test::default_not_after(), false, ext, std::move(raw)};
    return test::to_certificate(test::make_certificate_der(spec, key.get(), ask_key_.get()));
  }
  static AmdExtensions milan_ext() {
    AmdExtensions e;
    e.struct_version = 1;
    e.product_name = "Milan-B0";
    e.bl_spl = 3;
    e.tee_spl = 0;
    e.snp_spl = 8;
    e.spl4_7 = {std::uint8_t{0}, std::uint8_t{0}, std::uint8_t{0}, std::uint8_t{0}};
    e.ucode_spl = 209;
    Bytes hw(64);
    for (std::size_t i = 0; i < hw.size(); ++i) hw[i] = static_cast<std::uint8_t>(0xC0 + i);
    e.hw_id = hw;
    return e;
  }

  static test::SharedPkey ark_key_;
  static test::SharedPkey ask_key_;
};

test::SharedPkey TestPkiFixture::ark_key_;
test::SharedPkey TestPkiFixture::ask_key_;

TEST_F(TestPkiFixture, ExtensionsReadBackAsWritten) {
  AmdExtensions want = milan_ext();
  auto got = vcek(want).amd_extensions();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->struct_version, want.struct_version);
  EXPECT_EQ(got->product_name, want.product_name);
  EXPECT_EQ(got->bl_spl, want.bl_spl);
  EXPECT_EQ(got->tee_spl, want.tee_spl);
  EXPECT_EQ(got->snp_spl, want.snp_spl);
  EXPECT_EQ(got->spl4_7, want.spl4_7);
  EXPECT_EQ(got->ucode_spl, want.ucode_spl);
  EXPECT_FALSE(got->fmc_spl.has_value());
  EXPECT_EQ(got->hw_id, want.hw_id);
  EXPECT_FALSE(got->csp_id.has_value());
}

TEST_F(TestPkiFixture, TurinAndVlekShapes) {
  AmdExtensions turin = milan_ext();
  turin.product_name = "Turin";
  turin.fmc_spl = 1;
  turin.hw_id = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
  auto got = vcek(turin).amd_extensions();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->fmc_spl, std::optional<std::uint8_t>(1));
  EXPECT_EQ(got->hw_id, turin.hw_id);

  AmdExtensions vlek = milan_ext();
  vlek.hw_id.reset();
  vlek.csp_id = "Amazon Web Services";
  got = vcek(vlek).amd_extensions();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(got->csp_id, vlek.csp_id);
  EXPECT_FALSE(got->hw_id.has_value());
}

TEST_F(TestPkiFixture, CaCertificatesHaveNoAmdExtensions) {
  auto got = ark().amd_extensions();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_FALSE(got->product_name.has_value());
  EXPECT_FALSE(got->bl_spl.has_value());
  EXPECT_FALSE(got->hw_id.has_value());
}

TEST_F(TestPkiFixture, MalformedExtensionsAreErrors) {
  const std::string arc = "1.3.6.1.4.1.3704.1.";
  struct Case {
    const char* what;
    std::string oid;
    Bytes value;
  };
  std::vector<Case> cases = {
      {"SPL out of 0..255", arc + "3.3", test::der_integer(300)},
      {"negative SPL", arc + "3.1", test::der_integer(-1)},
      {"SPL as OCTET STRING", arc + "3.2", test::der_octet_string(Bytes{5})},
      {"SPL not DER at all", arc + "3.8", Bytes{0xFF, 0x01}},
      {"productName as INTEGER", arc + "2", test::der_integer(7)},
  };
  for (const auto& c : cases) {
    AmdExtensions ext = milan_ext();
    // Leave out the well-formed extension the malformed one replaces.
    if (c.oid == arc + "3.3") ext.snp_spl.reset();
    if (c.oid == arc + "3.1") ext.bl_spl.reset();
    if (c.oid == arc + "3.2") ext.tee_spl.reset();
    if (c.oid == arc + "3.8") ext.ucode_spl.reset();
    if (c.oid == arc + "2") ext.product_name.reset();
    auto got = vcek(ext, {{c.oid, c.value}}).amd_extensions();
    EXPECT_FALSE(got.has_value()) << c.what << " accepted";
  }
}

TEST_F(TestPkiFixture, PssSignaturesVerifyAlongTheChainOnly) {
  auto a = ark();
  auto k = ask();
  auto v = vcek(milan_ext());
  EXPECT_TRUE(a.verify_signed_by(a).has_value());
  EXPECT_TRUE(k.verify_signed_by(a).has_value());
  EXPECT_TRUE(v.verify_signed_by(k).has_value());
  EXPECT_FALSE(v.verify_signed_by(a).has_value());
  EXPECT_FALSE(k.verify_signed_by(k).has_value());
  // A certificate with the right names but another key.
  auto other_key = test::make_rsa_key(2048);
  CertSpec spec{"SEV-Milan", "ARK-Milan", 0x22, test::default_not_before(),
                test::default_not_after(), true, std::nullopt, {}};
  auto impostor = test::to_certificate(test::make_certificate_der(spec, other_key.get(), other_key.get()));
  EXPECT_FALSE(impostor.verify_signed_by(a).has_value());
  EXPECT_FALSE(v.verify_signed_by(impostor).has_value());
}

TEST_F(TestPkiFixture, NamesSerialAndValidity) {
  auto k = ask();
  EXPECT_EQ(k.subject_cn(), "SEV-Milan");
  EXPECT_EQ(k.issuer_cn(), "ARK-Milan");
  EXPECT_EQ(k.serial_hex(), "22");
  EXPECT_FALSE(k.is_self_issued());
  EXPECT_TRUE(ark().is_self_issued());
  EXPECT_EQ(k.not_before(), test::default_not_before());
  EXPECT_EQ(k.not_after(), test::default_not_after());
  EXPECT_TRUE(k.valid_at(utc(2030, 6, 1)));
  EXPECT_FALSE(k.valid_at(utc(2019, 12, 31, 23, 59, 59)));
  EXPECT_FALSE(k.valid_at(utc(2040, 1, 1, 0, 0, 1)));
  auto big = vcek(milan_ext(), {}, 0x0123456789ABCDLL);
  EXPECT_EQ(big.serial_hex(), "123456789abcd") << "lowercase, no leading zeros";
}

TEST_F(TestPkiFixture, CrlSignedByArkRevokesTheAsk) {
  auto a = ark();
  auto k = ask();
  auto v = vcek(milan_ext());
  auto this_update = utc(2024, 1, 1);
  auto next_update = utc(2024, 2, 1);
  Bytes der = test::make_crl_der("ARK-Milan", ark_key_.get(), this_update, next_update, {0x22});
  auto crl = Crl::load(der);
  ASSERT_TRUE(crl.has_value()) << crl.error().message;
  EXPECT_EQ(crl->issuer_cn(), "ARK-Milan");
  EXPECT_EQ(crl->this_update(), this_update);
  EXPECT_EQ(crl->next_update(), std::optional<TimePoint>(next_update));
  EXPECT_EQ(crl->der(), der);

  auto by_ark = crl->verify_signed_by(a);
  EXPECT_TRUE(by_ark.has_value()) << by_ark.error().message;
  EXPECT_FALSE(crl->verify_signed_by(k).has_value()) << "the ASK did not sign the CRL";
  EXPECT_FALSE(crl->verify_signed_by(v).has_value());

  EXPECT_TRUE(crl->revokes(k));
  EXPECT_FALSE(crl->revokes(v));
  EXPECT_FALSE(crl->revokes(a));

  EXPECT_TRUE(crl->current_at(this_update));
  EXPECT_TRUE(crl->current_at(utc(2024, 1, 15)));
  EXPECT_FALSE(crl->current_at(this_update - std::chrono::seconds(1)));
  EXPECT_FALSE(crl->current_at(next_update)) << "current while when < nextUpdate";
  EXPECT_FALSE(crl->current_at(utc(2025, 1, 1)));
}

TEST_F(TestPkiFixture, CrlPemAndNoNextUpdate) {
  Bytes der = test::make_crl_der("ARK-Milan", ark_key_.get(), utc(2024, 1, 1), std::nullopt,
                                 {0x33, 0x44});
  auto crl = Crl::load(as_bytes(test::crl_pem(der)));
  ASSERT_TRUE(crl.has_value()) << crl.error().message;
  EXPECT_EQ(crl->der(), der);
  EXPECT_FALSE(crl->next_update().has_value());
  EXPECT_TRUE(crl->current_at(utc(2030, 1, 1)));
  EXPECT_FALSE(crl->current_at(utc(2023, 12, 31)));
  EXPECT_TRUE(crl->revokes(vcek(milan_ext(), {}, 0x33)));
  EXPECT_TRUE(crl->revokes(vcek(milan_ext(), {}, 0x44)));
  EXPECT_FALSE(crl->revokes(vcek(milan_ext(), {}, 0x45)));
}

TEST_F(TestPkiFixture, TamperedCrlFailsSignature) {
  Bytes der = test::make_crl_der("ARK-Milan", ark_key_.get(), utc(2024, 1, 1), utc(2024, 2, 1),
                                 {0x22});
  // Flip a bit in the last byte of the signature.
  der.back() ^= 0x01;
  auto crl = Crl::load(der);
  ASSERT_TRUE(crl.has_value()) << crl.error().message;
  EXPECT_FALSE(crl->verify_signed_by(ark()).has_value());
}

TEST(CrlLoad, RejectsGarbage) {
  EXPECT_FALSE(Crl::load(ByteView{}).has_value());
  EXPECT_FALSE(Crl::load(as_bytes("garbage")).has_value());
  EXPECT_FALSE(Crl::load(Bytes(64, 0x30)).has_value());
  auto missing = Crl::load_file("/nonexistent/veritee/crl.der");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::kIo);
}

}  // namespace
}  // namespace veritee::x509
