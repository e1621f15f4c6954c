// Azure vTPM HCL report blobs (DESIGN.md 3.8): the report at 0x20 and the runtime claims bound
// through REPORT_DATA by hash_type; every length bounds-checked.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/hcl_report.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;

Bytes digest(const EVP_MD* md, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr);
  out.resize(n);
  return out;
}

void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

constexpr std::size_t kIgvm = 0x4C0;          // IGVM request data
constexpr std::size_t kClaims = kIgvm + 20;  // runtime claims

class HclBlob : public testing::TestWithParam<ManifestRow> {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_ROW(GetParam());
    blob_ = test::decoded_input(GetParam());
    ASSERT_GE(blob_.size(), kClaims);
    claims_size_ = test::le32(blob_, kIgvm + 16);
    ASSERT_LE(kClaims + claims_size_, blob_.size()) << "corpus blob inconsistent";
  }
  Bytes blob_;
  std::size_t claims_size_ = 0;
};

TEST_P(HclBlob, DetectedAsContainerAtOffset0x20) {
  auto ev = load_evidence(blob_);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->container, Container::kAzureHcl);
  EXPECT_EQ(ev->report_offset, kHclReportOffset);
  EXPECT_TRUE(std::equal(ev->report_bytes().begin(), ev->report_bytes().end(),
                         blob_.begin() + 0x20));
}

TEST_P(HclBlob, ParsesFieldsAtDocumentedOffsets) {
  auto hcl = parse_hcl_report(blob_);
  ASSERT_TRUE(hcl.has_value()) << hcl.error().message;
  EXPECT_EQ(hcl->report.data(), blob_.data() + 0x20) << "a view into the blob";
  EXPECT_EQ(hcl->report.size(), kReportSize);
  EXPECT_EQ(hcl->header_version, test::le32(blob_, 4));
  EXPECT_EQ(hcl->request_type, test::le32(blob_, 12));
  EXPECT_EQ(hcl->runtime_data_version, test::le32(blob_, kIgvm + 4));
  EXPECT_EQ(hcl->report_type, test::le32(blob_, kIgvm + 8));
  EXPECT_EQ(hcl->hash_type, test::le32(blob_, kIgvm + 12));
  EXPECT_EQ(hcl->runtime_claims.data(), blob_.data() + kClaims);
  EXPECT_EQ(hcl->runtime_claims.size(), claims_size_);
  ASSERT_FALSE(hcl->runtime_claims.empty());
  EXPECT_EQ(hcl->runtime_claims.front(), '{') << "runtime claims are JSON";
}

TEST_P(HclBlob, RuntimeClaimsBoundByReportData) {
  auto hcl = parse_hcl_report(blob_);
  ASSERT_TRUE(hcl.has_value()) << hcl.error().message;
  ASSERT_EQ(hcl->hash_type, 1U) << "corpus blobs use SHA-256";
  // Independently: SHA-256 of the claims equals REPORT_DATA[0:32].
  Bytes sha = digest(EVP_sha256(), hcl->runtime_claims);
  ASSERT_TRUE(std::equal(sha.begin(), sha.end(), blob_.begin() + 0x20 + 0x50));
  auto bound = hcl->runtime_claims_bound();
  ASSERT_TRUE(bound.has_value()) << bound.error().message;
  EXPECT_TRUE(*bound);
}

TEST_P(HclBlob, TamperedClaimsOrReportDataNotBound) {
  Bytes claims_changed = blob_;
  claims_changed[kClaims + claims_size_ / 2] ^= 0x01;
  auto hcl = parse_hcl_report(claims_changed);
  ASSERT_TRUE(hcl.has_value()) << hcl.error().message;
  auto bound = hcl->runtime_claims_bound();
  ASSERT_TRUE(bound.has_value()) << bound.error().message;
  EXPECT_FALSE(*bound);

  Bytes data_changed = blob_;
  data_changed[0x20 + 0x50 + 31] ^= 0x80;  // last byte of the SHA-256 in REPORT_DATA
  hcl = parse_hcl_report(data_changed);
  ASSERT_TRUE(hcl.has_value()) << hcl.error().message;
  bound = hcl->runtime_claims_bound();
  ASSERT_TRUE(bound.has_value()) << bound.error().message;
  EXPECT_FALSE(*bound);
}

TEST_P(HclBlob, OtherHashTypesUseLongerDigests) {
  struct {
    std::uint32_t type;
    const EVP_MD* md;
  } cases[] = {{2, EVP_sha384()}, {3, EVP_sha512()}};
  for (auto c : cases) {
    Bytes b = blob_;
    put32(b, kIgvm + 12, c.type);
    Bytes d = digest(c.md, ByteView(b).subspan(kClaims, claims_size_));
    std::copy(d.begin(), d.end(), b.begin() + 0x20 + 0x50);
    auto hcl = parse_hcl_report(b);
    ASSERT_TRUE(hcl.has_value()) << hcl.error().message;
    EXPECT_EQ(hcl->hash_type, c.type);
    auto bound = hcl->runtime_claims_bound();
    ASSERT_TRUE(bound.has_value()) << bound.error().message;
    EXPECT_TRUE(*bound) << "hash_type " << c.type;
    // Only the SHA-256 prefix right: not bound under the longer hash.
    b[0x20 + 0x50 + d.size() - 1] ^= 1;
    hcl = parse_hcl_report(b);
    ASSERT_TRUE(hcl.has_value());
    bound = hcl->runtime_claims_bound();
    ASSERT_TRUE(bound.has_value());
    EXPECT_FALSE(*bound) << "hash_type " << c.type << " checks all " << d.size() << " bytes";
  }
}

TEST_P(HclBlob, CutShortIsTruncated) {
  for (std::size_t len : {kClaims + claims_size_ - 1, kClaims + 1, kClaims - 1, kIgvm + 3,
                          kIgvm, std::size_t{0x20 + 0x100}, std::size_t{0x20}, std::size_t{8}}) {
    Bytes cut(blob_.begin(), blob_.begin() + static_cast<std::ptrdiff_t>(len));
    auto hcl = parse_hcl_report(cut);
    ASSERT_FALSE(hcl.has_value()) << "accepted a blob cut to " << len << " bytes";
    EXPECT_EQ(hcl.error().code, Errc::kTruncated) << len << ": " << hcl.error().message;
    EXPECT_NE(hcl.error().message.find("truncated HCL report"), std::string::npos)
        << hcl.error().message;
  }
}

TEST_P(HclBlob, HugeClaimsSizeIsTruncatedNotOverflow) {
  for (std::uint32_t size : {0xFFFFFFFFU, 0xFFFFFFF0U, 0x80000000U}) {
    Bytes b = blob_;
    put32(b, kIgvm + 16, size);
    auto hcl = parse_hcl_report(b);
    ASSERT_FALSE(hcl.has_value()) << "variable_data_size 0x" << std::hex << size;
    EXPECT_EQ(hcl.error().code, Errc::kTruncated) << hcl.error().message;
  }
}

TEST_P(HclBlob, WrongMagicOrHashTypeIsInvalid) {
  Bytes magic = blob_;
  magic[3] = 'B';
  auto hcl = parse_hcl_report(magic);
  ASSERT_FALSE(hcl.has_value());
  EXPECT_EQ(hcl.error().code, Errc::kInvalidInput) << hcl.error().message;
  EXPECT_FALSE(load_evidence(magic).has_value()) << "not HCLA, not a report of 0x4A0 bytes";

  for (std::uint32_t type : {0U, 4U, 0xFFFFFFFFU}) {
    Bytes b = blob_;
    put32(b, kIgvm + 12, type);
    auto r = parse_hcl_report(b);
    if (r.has_value()) {
      // Accepting at parse time is allowed only if binding then reports the problem.
      auto bound = r->runtime_claims_bound();
      EXPECT_FALSE(bound.has_value()) << "hash_type " << type << " treated as known";
    } else {
      EXPECT_EQ(r.error().code, Errc::kInvalidInput) << r.error().message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, HclBlob,
                         testing::ValuesIn(test::manifest_rows([](const ManifestRow& r) {
                           return r.container() == "azure-hcl-report";
                         })),
                         test::ManifestRowName{});

}  // namespace
}  // namespace veritee::snp
