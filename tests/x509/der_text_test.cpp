// Certificates and CRLs as base64 DER text (how JSON APIs and tinfoil's files carry them),
// besides PEM and binary DER; and impossible --at dates.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/test_pki.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee {
namespace {

std::string wrapped(const std::string& b64) {
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out;
}

TEST(Base64Der, CorpusVcekLoadsAsTheSameCertificate) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes der = test::read_corpus("virtee-sev/vcek_milan.der");
  ASSERT_EQ(der.front(), 0x30);
  for (const std::string& text : {to_base64(der), wrapped(to_base64(der))}) {
    auto certs = x509::Certificate::load_all(as_bytes(text));
    ASSERT_TRUE(certs) << certs.error().message;
    ASSERT_EQ(certs->size(), 1U);
    EXPECT_EQ(certs->front().der(), der);
  }
}

TEST(Base64Der, CrlLoadsAsTheSameCrl) {
  auto key = test::cached_rsa_key("ark", 2048);
  const Bytes der = test::make_crl_der("ARK-Milan", key.get(), test::utc(2024, 1, 1),
                                       test::utc(2024, 2, 1), {0x22});
  auto crl = x509::Crl::load(as_bytes(wrapped(to_base64(der))));
  ASSERT_TRUE(crl) << crl.error().message;
  EXPECT_EQ(crl->der(), der);
}

TEST(Base64Der, TextThatIsNotDerStaysAnError) {
  EXPECT_FALSE(x509::Certificate::load_all(as_bytes(std::string("aGVsbG8gd29ybGQ="))));
  EXPECT_FALSE(x509::Crl::load(as_bytes(std::string("not base64 at all!"))));
}

TEST(AtDates, ImpossibleDatesAreRefused) {
  for (const char* bad : {"2026-02-31", "2026-02-29T00:00:00Z", "2025-04-31T12:00:00Z", "2100-02-29"}) {
    auto t = parse_time(bad);
    EXPECT_FALSE(t) << bad;
    if (!t) {
      EXPECT_NE(t.error().message.find("days"), std::string::npos) << t.error().message;
    }
  }
  EXPECT_TRUE(parse_time("2024-02-29"));
  EXPECT_TRUE(parse_time("2000-02-29T00:00:00Z"));
  EXPECT_TRUE(parse_time("2026-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace veritee
