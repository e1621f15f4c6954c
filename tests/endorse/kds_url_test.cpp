// KDS URL construction (DESIGN.md 3.6; AMD doc 57230, section 4.1) against every corpus report
// with a signer: the hwID and SPLs in the URL must equal the signing VCEK's own extensions.
#include <gtest/gtest.h>

#include <map>

#include "support/corpus.hpp"
#include "veritee/endorse/endorsement_check.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::endorse {
namespace {

struct ParsedUrl {
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
};

ParsedUrl parse(const std::string& path) {
  ParsedUrl out;
  const auto q = path.find('?');
  std::string p = path.substr(0, q);
  for (std::size_t i = 1, j; i <= p.size(); i = j + 1) {
    j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    out.segments.push_back(p.substr(i, j - i));
  }
  if (q != std::string::npos) {
    std::string rest = path.substr(q + 1);
    for (std::size_t i = 0, j; i < rest.size(); i = j + 1) {
      j = rest.find('&', i);
      if (j == std::string::npos) j = rest.size();
      const std::string kv = rest.substr(i, j - i);
      const auto eq = kv.find('=');
      EXPECT_TRUE(out.query.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second) << path;
    }
  }
  return out;
}

class CorpusVcekUrl : public testing::TestWithParam<test::ManifestRow> {};

TEST_P(CorpusVcekUrl, HwIdAndSplsEqualTheVceksExtensions) {
  const auto& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  const Bytes bytes = test::report_bytes_of(row);
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report) << report.error().message;
  const snp::Product product = row.product_value().value();
  // The signer file may also hold the ASK and ARK: the VCEK is the one with a hwID.
  auto certs = x509::Certificate::load_file(test::corpus_path(row.signer));
  ASSERT_TRUE(certs) << certs.error().message;
  std::optional<x509::Certificate> vcek;
  std::optional<x509::AmdExtensions> ext;
  for (const auto& cert : *certs) {
    auto e = cert.amd_extensions();
    if (e && e->hw_id) {
      vcek = cert;
      ext = *e;
    }
  }
  ASSERT_TRUE(vcek) << row.signer << " holds no certificate with a hwID";

  auto request = VcekRequest::from_report(*report, product);
  ASSERT_TRUE(request) << request.error().message;
  const ParsedUrl url = parse(vcek_path(*request));
  ASSERT_EQ(url.segments.size(), 4U);
  EXPECT_EQ(url.segments[0], "vcek");
  EXPECT_EQ(url.segments[1], "v1");
  EXPECT_EQ(url.segments[2], snp::kds_name(product));
  // hwID: 64 bytes, Turin 8 (lowercase hex).
  Bytes hw_id = ext->hw_id.value();
  if (product == snp::Product::kTurin) {
    EXPECT_EQ(url.segments[3].size(), 16U);
    if (hw_id.size() > 8) hw_id.resize(8);
  } else {
    EXPECT_EQ(url.segments[3].size(), 128U);
  }
  EXPECT_EQ(url.segments[3], to_hex(hw_id));
  EXPECT_EQ(url.query.at("blSPL"), std::to_string(ext->bl_spl.value()));
  EXPECT_EQ(url.query.at("teeSPL"), std::to_string(ext->tee_spl.value()));
  EXPECT_EQ(url.query.at("snpSPL"), std::to_string(ext->snp_spl.value()));
  EXPECT_EQ(url.query.at("ucodeSPL"), std::to_string(ext->ucode_spl.value()));
  if (product == snp::Product::kTurin) {
    EXPECT_EQ(url.query.at("fmcSPL"), std::to_string(ext->fmc_spl.value()));
    EXPECT_EQ(url.query.size(), 5U);
  } else {
    EXPECT_EQ(url.query.count("fmcSPL"), 0U);
    EXPECT_EQ(url.query.size(), 4U);
  }
  // And the check the cache applies accepts exactly this certificate for this request.
  auto checked = check_vcek(vcek->der(), *request, snp::TrustStore::amd());
  EXPECT_TRUE(checked) << checked.error().message;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusVcekUrl,
                         testing::ValuesIn(test::manifest_rows([](const test::ManifestRow& r) {
                           return r.has_signer() && r.key == "VCEK";
                         })),
                         test::ManifestRowName{});

class CorpusVlek : public testing::TestWithParam<test::ManifestRow> {};

TEST_P(CorpusVlek, IsNotAskedOfKds) {
  const auto& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  const Bytes bytes = test::report_bytes_of(row);
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report);
  auto request = VcekRequest::from_report(*report, row.product_value().value());
  ASSERT_FALSE(request);
  EXPECT_NE(request.error().message.find("VLEK"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusVlek,
                         testing::ValuesIn(test::manifest_rows([](const test::ManifestRow& r) {
                           return r.has_signer() && r.key == "VLEK";
                         })),
                         test::ManifestRowName{});

TEST(KdsUrl, ChainAndCrlPaths) {
  using snp::Product;
  EXPECT_EQ(chain_path(Product::kMilan, Line::kVcek), "/vcek/v1/Milan/cert_chain");
  EXPECT_EQ(chain_path(Product::kTurin, Line::kVlek), "/vlek/v1/Turin/cert_chain");
  EXPECT_EQ(crl_path(Product::kGenoa, Line::kVcek), "/vcek/v1/Genoa/crl");
  EXPECT_EQ(crl_path(Product::kGenoa, Line::kVlek), "/vlek/v1/Genoa/crl");
  // Bergamo and Siena are served on the Genoa line.
  for (const char* name : {"bergamo", "siena"}) {
    auto product = snp::parse_product(name);
    ASSERT_TRUE(product);
    EXPECT_EQ(chain_path(*product, Line::kVcek), "/vcek/v1/Genoa/cert_chain");
  }
}

// A report's KEY_INFO, CHIP_ID and REPORTED_TCB, edited in place (no signature needed here).
Bytes milan_like_report() {
  Bytes r(snp::kReportSize, 0);
  r[0] = 2;                               // VERSION
  r[0x180] = 3;                           // REPORTED_TCB: bl=3
  r[0x186] = 8;                           //               snp=8
  r[0x187] = 115;                         //               ucode=115
  for (std::size_t i = 0; i < 64; ++i) r[0x1A0 + i] = static_cast<std::uint8_t>(i + 1);
  return r;
}

TEST(KdsUrl, MilanPathFromFields) {
  const Bytes bytes = milan_like_report();
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report);
  auto request = VcekRequest::from_report(*report, snp::Product::kMilan);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(vcek_path(*request), "/vcek/v1/Milan/" + to_hex(report->chip_id()) +
                                     "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115");
}

TEST(KdsUrl, TurinUsesEightByteHwIdAndFmc) {
  Bytes bytes(snp::kReportSize, 0);
  bytes[0] = 3;
  // Turin TCB_VERSION: byte 0 FMC, 1 BL, 2 TEE, 3 SNP, 7 MICROCODE.
  bytes[0x180] = 1;
  bytes[0x181] = 2;
  bytes[0x182] = 3;
  bytes[0x183] = 4;
  bytes[0x187] = 5;
  for (std::size_t i = 0; i < 8; ++i) bytes[0x1A0 + i] = static_cast<std::uint8_t>(0xA0 + i);
  auto report = snp::Report::parse(bytes);
  ASSERT_TRUE(report);
  auto request = VcekRequest::from_report(*report, snp::Product::kTurin);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(vcek_path(*request),
            "/vcek/v1/Turin/a0a1a2a3a4a5a6a7?blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5&fmcSPL=1");
  // A Turin CHIP_ID uses only 8 bytes; anything after them is not a Turin hwID.
  bytes[0x1A0 + 20] = 1;
  auto odd = snp::Report::parse(bytes);
  ASSERT_TRUE(odd);
  EXPECT_FALSE(VcekRequest::from_report(*odd, snp::Product::kTurin));
}

TEST(KdsUrl, MaskedOrZeroChipIdCannotBeAsked) {
  Bytes bytes = milan_like_report();
  bytes[0x48] = 0x2;  // KEY_INFO.MASK_CHIP_KEY
  auto masked = snp::Report::parse(bytes);
  ASSERT_TRUE(masked);
  auto r1 = VcekRequest::from_report(*masked, snp::Product::kMilan);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().message.find("MASK_CHIP_KEY"), std::string::npos);
  bytes[0x48] = 0;
  std::fill(bytes.begin() + 0x1A0, bytes.begin() + 0x1E0, 0);
  auto zero = snp::Report::parse(bytes);
  ASSERT_TRUE(zero);
  EXPECT_FALSE(VcekRequest::from_report(*zero, snp::Product::kMilan));
}

}  // namespace
}  // namespace veritee::endorse
