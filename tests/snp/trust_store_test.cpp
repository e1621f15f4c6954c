// The pinned AMD roots (ARK, ASK, ASVK per product line) built into the library, against the
// corpus copies of the same certificates.
#include <openssl/evp.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/test_pki.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/trust_store.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;
using x509::Certificate;

// The pinned AMD roots.
TEST(TrustStoreAmd, HasEveryProductLine) {
  const TrustStore& store = TrustStore::amd();
  for (snp::Product p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
    std::string name(snp::kds_name(p));
    const ProductRoots* roots = store.roots(p);
    ASSERT_NE(roots, nullptr) << name;
    EXPECT_EQ(roots->ark.subject_cn(), "ARK-" + name);
    EXPECT_TRUE(roots->ark.is_self_issued());
    EXPECT_EQ(roots->ask.subject_cn(), "SEV-" + name);
    EXPECT_EQ(roots->ask.issuer_cn(), "ARK-" + name);
    ASSERT_TRUE(roots->asvk.has_value()) << name << " ASVK";
    EXPECT_EQ(roots->asvk->subject_cn(), "SEV-VLEK-" + name);
    auto self = roots->ark.verify_signed_by(roots->ark);
    EXPECT_TRUE(self.has_value()) << name << ": " << self.error().message;
    auto ask = roots->ask.verify_signed_by(roots->ark);
    EXPECT_TRUE(ask.has_value()) << name << ": " << ask.error().message;
    auto asvk = roots->asvk->verify_signed_by(roots->ark);
    EXPECT_TRUE(asvk.has_value()) << name << ": " << asvk.error().message;
    EXPECT_EQ(store.product_of_ark(roots->ark), p);
    EXPECT_FALSE(store.product_of_ark(roots->ask).has_value()) << "an ASK is not an ARK";
    EXPECT_EQ(EVP_PKEY_get_bits(roots->ark.public_key()), 4096);
  }
  // Three distinct roots.
  std::set<std::string> fingerprints;
  for (snp::Product p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
    fingerprints.insert(store.roots(p)->ark.sha256_hex());
  }
  EXPECT_EQ(fingerprints.size(), 3U);
}

TEST(TrustStoreAmd, CorpusArksAndAsksEqualThePinnedOnes) {
  VERITEE_REQUIRE_CORPUS();
  const TrustStore& store = TrustStore::amd();
  int compared = 0;
  for (const char* rel :
       {"go-sev-guest/ask_ark_milan.pem", "go-sev-guest/ask_ark_genoa.pem",
        "go-sev-guest/ask_ark_turin_vcek.pem", "go-sev-guest/ask_ark_milan_vlek.pem",
        "go-sev-guest/ask_ark_genoa_vlek.pem", "go-sev-guest/ask_ark_turin_vlek.pem",
        "trustee/milan_ask_ark_asvk.pem", "trustee/genoa_ask_ark_asvk.pem",
        "trustee/turin_ask_ark_asvk.pem", "virtee-sev/builtin/milan/ark.pem",
        "virtee-sev/builtin/genoa/ark.pem", "virtee-sev/builtin/turin/ark.pem",
        "ms-tee-attestation-verification/turin_ark.pem"}) {
    if (!std::filesystem::exists(test::corpus_path(rel))) continue;
    auto certs = Certificate::load_file(test::corpus_path(rel));
    ASSERT_TRUE(certs.has_value()) << rel << ": " << certs.error().message;
    for (const auto& cert : *certs) {
      auto cn = cert.subject_cn();
      auto product = snp::product_from_certificate_name(cn);
      ASSERT_TRUE(product.has_value()) << rel << ": " << cn;
      const ProductRoots* roots = store.roots(*product);
      ASSERT_NE(roots, nullptr);
      if (cert.is_self_issued()) {
        EXPECT_TRUE(cert == roots->ark) << rel << ": corpus " << cn << " is not the pinned ARK";
        EXPECT_EQ(store.product_of_ark(cert), *product) << rel;
      } else if (cn.find("VLEK") != std::string::npos) {
        ASSERT_TRUE(roots->asvk.has_value());
        EXPECT_TRUE(cert == *roots->asvk) << rel << ": corpus " << cn << " differs from pinned";
      } else {
        EXPECT_TRUE(cert == roots->ask) << rel << ": corpus " << cn << " differs from pinned";
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
}

TEST(TrustStore, PinReplacesRoots) {
  VERITEE_REQUIRE_CORPUS();
  auto report = test::find_row([](const ManifestRow& r) { return r.product == "milan"; });
  ASSERT_TRUE(report.has_value());
  auto pki = test::make_test_pki(snp::Product::kMilan, test::report_bytes_of(*report));
  TrustStore store = TrustStore::amd();
  EXPECT_FALSE(store.product_of_ark(pki.ark).has_value()) << "a test ARK is not pinned";
  store.pin(snp::Product::kMilan, ProductRoots{pki.ark, pki.ask, std::nullopt});
  EXPECT_EQ(store.product_of_ark(pki.ark), snp::Product::kMilan);
  EXPECT_FALSE(store.product_of_ark(TrustStore::amd().roots(snp::Product::kMilan)->ark))
      << "the replaced AMD Milan ARK is no longer pinned";
  EXPECT_TRUE(store.roots(snp::Product::kGenoa) != nullptr) << "other products untouched";
  TrustStore empty;
  EXPECT_EQ(empty.roots(snp::Product::kMilan), nullptr);
}

}  // namespace
}  // namespace veritee::snp
