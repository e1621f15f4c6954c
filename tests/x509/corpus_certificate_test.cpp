// Real AMD certificates from the corpus: loading (PEM and DER), AMD extensions against the
// reports they sign, and the ARK -> ASK/ASVK -> VCEK/VLEK signatures (RSA-PSS).
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <set>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/test_pki.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/snp/product.hpp"

namespace veritee::x509 {
namespace {

using test::ManifestRow;

// Rows with a signer, one per distinct (report) so every signer/report pairing is covered.
std::vector<ManifestRow> signer_rows() {
  return test::manifest_rows([](const ManifestRow& r) { return r.has_signer(); });
}

// The signer (VCEK/VLEK) of a manifest row: the file's certificate, or the first of a bundle
// that carries the chain after it.
std::optional<Certificate> load_one(const std::string& rel) {
  auto certs = Certificate::load_file(test::corpus_path(rel));
  if (!certs) {
    ADD_FAILURE() << rel << ": " << certs.error().message;
    return std::nullopt;
  }
  if (certs->empty()) {
    ADD_FAILURE() << rel << ": no certificate";
    return std::nullopt;
  }
  return certs->front();
}

struct Chain {
  std::optional<Certificate> ark, ca;
};

Chain split_chain(const std::vector<Certificate>& certs, bool vlek) {
  Chain c;
  for (const auto& cert : certs) {
    if (cert.is_self_issued()) {
      c.ark = cert;
    } else if ((cert.subject_cn().find("VLEK") != std::string::npos) == vlek) {
      c.ca = cert;
    }
  }
  return c;
}

class SignerCertificate : public testing::TestWithParam<ManifestRow> {};

TEST_P(SignerCertificate, LoadsAndRoundTripsDer) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto cert = load_one(row.signer);
  ASSERT_TRUE(cert.has_value());
  EXPECT_EQ(cert->subject_cn(), row.key == "VLEK" ? "SEV-VLEK" : "SEV-VCEK");
  Bytes der = cert->der();
  auto again = Certificate::from_der(der);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(*again == *cert);
  auto from_pem = Certificate::load_all(as_bytes(cert->pem()));
  ASSERT_TRUE(from_pem.has_value()) << from_pem.error().message;
  ASSERT_EQ(from_pem->size(), 1U);
  EXPECT_EQ(from_pem->front().der(), der);
  // Fingerprint computed independently.
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(der.data(), der.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) {
    static const char* d = "0123456789abcdef";
    hex.push_back(d[md[i] >> 4]);
    hex.push_back(d[md[i] & 15]);
  }
  EXPECT_EQ(cert->sha256_hex(), hex);
  ASSERT_NE(cert->public_key(), nullptr);
  EXPECT_EQ(EVP_PKEY_get_bits(cert->public_key()), 384) << "VCEK/VLEK keys are P-384";
}

TEST_P(SignerCertificate, ExtensionsMatchTheReport) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto product = row.product_value();
  ASSERT_TRUE(product.has_value()) << "a row with a signer names its product";
  auto cert = load_one(row.signer);
  ASSERT_TRUE(cert.has_value());
  auto ext = cert->amd_extensions();
  ASSERT_TRUE(ext.has_value()) << ext.error().message;

  ASSERT_TRUE(ext->product_name.has_value());
  auto named = snp::product_from_certificate_name(*ext->product_name);
  ASSERT_TRUE(named.has_value()) << *ext->product_name << ": " << named.error().message;
  EXPECT_EQ(*named, *product) << *ext->product_name;

  // REPORTED_TCB (0x180) decoded with DESIGN.md 3.2's table, here and not by the library.
  Bytes report = test::report_bytes_of(row);
  const std::uint8_t* tcb = report.data() + 0x180;
  ASSERT_TRUE(ext->bl_spl && ext->tee_spl && ext->snp_spl && ext->ucode_spl);
  if (*product == snp::Product::kTurin) {
    ASSERT_TRUE(ext->fmc_spl.has_value()) << "Turin VCEKs carry fmcSPL";
    EXPECT_EQ(*ext->fmc_spl, tcb[0]);
    EXPECT_EQ(*ext->bl_spl, tcb[1]);
    EXPECT_EQ(*ext->tee_spl, tcb[2]);
    EXPECT_EQ(*ext->snp_spl, tcb[3]);
  } else {
    EXPECT_FALSE(ext->fmc_spl.has_value());
    EXPECT_EQ(*ext->bl_spl, tcb[0]);
    EXPECT_EQ(*ext->tee_spl, tcb[1]);
    EXPECT_EQ(*ext->snp_spl, tcb[6]);
  }
  EXPECT_EQ(*ext->ucode_spl, tcb[7]);

  if (row.key == "VCEK") {
    ASSERT_TRUE(ext->hw_id.has_value());
    std::size_t n = *product == snp::Product::kTurin ? 8 : 64;
    ASSERT_EQ(ext->hw_id->size(), n);
    EXPECT_TRUE(std::equal(ext->hw_id->begin(), ext->hw_id->end(), report.begin() + 0x1A0))
        << "hwID equals CHIP_ID[0:" << n << "]";
    EXPECT_FALSE(ext->csp_id.has_value());
  } else {
    EXPECT_TRUE(ext->csp_id.has_value()) << "VLEKs carry csp_id";
    EXPECT_FALSE(ext->hw_id.has_value()) << "VLEKs are not bound to a chip";
  }
}

TEST_P(SignerCertificate, ChainSignaturesVerify) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  if (!row.has_chain()) GTEST_SKIP() << "no chain";
  auto signer = load_one(row.signer);
  ASSERT_TRUE(signer.has_value());
  auto certs = Certificate::load_file(test::corpus_path(row.chain));
  ASSERT_TRUE(certs.has_value()) << certs.error().message;
  Chain chain = split_chain(*certs, row.key == "VLEK");
  ASSERT_TRUE(chain.ark && chain.ca) << row.chain;
  EXPECT_EQ(chain.ca->issuer_cn(), chain.ark->subject_cn());
  EXPECT_EQ(signer->issuer_cn(), chain.ca->subject_cn());

  auto ark_self = chain.ark->verify_signed_by(*chain.ark);
  EXPECT_TRUE(ark_self.has_value()) << "ARK self-signed: " << ark_self.error().message;
  auto ca_by_ark = chain.ca->verify_signed_by(*chain.ark);
  EXPECT_TRUE(ca_by_ark.has_value()) << "ASK/ASVK by ARK: " << ca_by_ark.error().message;
  auto signer_by_ca = signer->verify_signed_by(*chain.ca);
  EXPECT_TRUE(signer_by_ca.has_value()) << "VCEK/VLEK by ASK/ASVK: "
                                        << signer_by_ca.error().message;
  // And not by the wrong issuer.
  EXPECT_FALSE(signer->verify_signed_by(*chain.ark).has_value());
  EXPECT_FALSE(chain.ark->verify_signed_by(*chain.ca).has_value());
  EXPECT_FALSE(chain.ca->verify_signed_by(*signer).has_value()) << "an EC key cannot verify RSA";
}

TEST_P(SignerCertificate, ValidityAroundItsDates) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto cert = load_one(row.signer);
  ASSERT_TRUE(cert.has_value());
  // Independently of the library: notBefore/notAfter through OpenSSL's ASN1_TIME.
  auto to_tp = [](const ASN1_TIME* t) {
    std::tm tm{};
    ASN1_TIME_to_tm(t, &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  };
  auto nb = to_tp(X509_get0_notBefore(cert->native()));
  auto na = to_tp(X509_get0_notAfter(cert->native()));
  EXPECT_EQ(cert->not_before(), nb);
  EXPECT_EQ(cert->not_after(), na);
  EXPECT_TRUE(cert->valid_at(nb));
  EXPECT_TRUE(cert->valid_at(na));
  EXPECT_FALSE(cert->valid_at(nb - std::chrono::seconds(1)));
  EXPECT_FALSE(cert->valid_at(na + std::chrono::seconds(1)));
  if (row.at != "-") {
    EXPECT_TRUE(cert->valid_at(test::row_time(row))) << "manifest says valid at " << row.at;
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, SignerCertificate, testing::ValuesIn(signer_rows()),
                         test::ManifestRowName{});

TEST(CorpusCertificates, PemAndDerOfTheSameCertificateAreEqual) {
  VERITEE_REQUIRE_CORPUS();
  // ms-confidential-sidecar ships the same VCEK as PEM and as extracted DER.
  const char* pem_path = "ms-confidential-sidecar/uvm_host_amd_certificate.pem";
  const char* der_path =
      "ms-confidential-sidecar/extracted/uvm_host_amd_certificate.json.vcekCert_pem0.SEV-VCEK.der";
  if (!std::filesystem::exists(test::corpus_path(pem_path)) ||
      !std::filesystem::exists(test::corpus_path(der_path))) {
    GTEST_SKIP() << "sample pair not in corpus";
  }
  auto pem = Certificate::load_file(test::corpus_path(pem_path));
  auto der = Certificate::load_file(test::corpus_path(der_path));
  ASSERT_TRUE(pem.has_value()) << pem.error().message;
  ASSERT_TRUE(der.has_value()) << der.error().message;
  ASSERT_GE(pem->size(), 1U);
  ASSERT_EQ(der->size(), 1U);
  EXPECT_TRUE(pem->front() == der->front());
}

TEST(CorpusCertificates, BundleLoadsEveryCertificateInOrder) {
  VERITEE_REQUIRE_CORPUS();
  auto certs = Certificate::load_file(test::corpus_path("trustee/milan_ask_ark_asvk.pem"));
  if (!certs && !std::filesystem::exists(test::corpus_path("trustee/milan_ask_ark_asvk.pem"))) {
    GTEST_SKIP() << "bundle not in corpus";
  }
  ASSERT_TRUE(certs.has_value()) << certs.error().message;
  ASSERT_EQ(certs->size(), 3U);
  EXPECT_EQ((*certs)[0].subject_cn(), "SEV-Milan");
  EXPECT_EQ((*certs)[1].subject_cn(), "ARK-Milan");
  EXPECT_EQ((*certs)[2].subject_cn(), "SEV-VLEK-Milan");
  EXPECT_TRUE((*certs)[1].is_self_issued());
  EXPECT_FALSE((*certs)[0].is_self_issued());
}

TEST(CertificateLoad, RejectsGarbage) {
  EXPECT_FALSE(Certificate::load_all(ByteView{}).has_value());
  EXPECT_FALSE(Certificate::load_all(as_bytes("not a certificate\n")).has_value());
  EXPECT_FALSE(Certificate::from_der(Bytes(100, 0x30)).has_value());
  EXPECT_FALSE(
      Certificate::load_all(as_bytes("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
          .has_value());
  auto missing = Certificate::load_file("/nonexistent/veritee/cert.pem");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::kIo);
}

TEST(CertificateLoad, TruncatedDerIsError) {
  VERITEE_REQUIRE_CORPUS();
  Bytes der = test::read_corpus("trustee/test-vcek.der");
  ASSERT_GT(der.size(), 100U);
  for (std::size_t cut : {der.size() - 1, der.size() / 2, std::size_t{10}}) {
    Bytes shorter(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(Certificate::load_all(shorter).has_value()) << "cut to " << cut;
  }
}

}  // namespace
}  // namespace veritee::x509
