// The Azure vTPM path: whole corpus HCL blobs through the TPM test double, and the TPM
// mechanics (NV define, chunked write and read, the user-data write, a blob cut to swtpm's
// 2048-byte NV limit) against a real software TPM.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fake_tpm.hpp"
#include "support/corpus.hpp"
#include "swtpm.hpp"
#include "veritee/guest/azure_vtpm.hpp"
#include "veritee/guest/evidence_checks.hpp"

namespace veritee::test {
namespace {

using guest::kHclReportIndex;
using guest::kHclUserDataIndex;

const std::vector<std::string> kBlobs = {
    "trustee/az-snp-vtpm/hcl-report.bin",
    "trustee/az-snp-vtpm/extracted/evidence-genoa.json.report.hcl.bin",
    "trustee/az-snp-vtpm/extracted/evidence-v0.json.report.hcl.bin",
    "trustee/az-snp-vtpm/extracted/evidence-v1.json.hcl_report_base64.hcl.bin",
    "trustee/az-snp-vtpm/extracted/evidence-v2.json.hcl_report_base64.hcl.bin",
};
constexpr const char* kWithUserData =
    "trustee/az-snp-vtpm/extracted/evidence-v2.json.hcl_report_base64.hcl.bin";

// The "user-data" the blob's runtime claims carry (what the paravisor was given).
guest::ReportData claimed_user_data(const Bytes& blob) {
  const std::size_t size = le32(blob, 0x4D0);
  auto claims = nlohmann::json::parse(blob.begin() + 0x4D4, blob.begin() + 0x4D4 + size);
  auto bytes = from_hex(claims.at("user-data").get<std::string>());
  guest::ReportData out{};
  EXPECT_TRUE(bytes && bytes->size() == 64);
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// A fake vTPM whose paravisor publishes `blob` once user data is written.
std::unique_ptr<FakeTpmNv> paravisor_with(const Bytes& blob) {
  auto tpm = std::make_unique<FakeTpmNv>();
  tpm->paravisor = [blob](FakeTpmNv& t, ByteView) { t.nv[kHclReportIndex] = blob; };
  return tpm;
}

class CorpusHcl : public testing::TestWithParam<std::string> {};

TEST_P(CorpusHcl, WholeBlobThroughTheProvider) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes blob = read_corpus(GetParam());
  ASSERT_EQ(blob.size(), 2600u);
  auto tpm = paravisor_with(blob);
  FakeTpmNv* fake = tpm.get();
  guest::AzureVtpmProvider provider(std::move(tpm));
  guest::EvidenceRequest request{claimed_user_data(blob), std::nullopt, true};
  auto ev = provider.collect(request);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->provider, guest::ProviderKind::kAzure);
  EXPECT_EQ(ev->report, Bytes(blob.begin() + 0x20, blob.begin() + 0x4C0));
  EXPECT_EQ(ev->hcl_blob, blob);
  EXPECT_EQ(fake->defines, 1);  // NV 0x01400002 was absent
  EXPECT_EQ(fake->nv[kHclUserDataIndex],
            Bytes(request.report_data.begin(), request.report_data.end()));
  auto checks = guest::check_evidence(*ev, request);
  for (const auto& c : checks.checks) EXPECT_TRUE(c.ok()) << c.id << ": " << c.detail;
  EXPECT_EQ(checks.find("guest.hcl.bound")->status, CheckStatus::kPass);
  EXPECT_EQ(checks.find("guest.hcl.user_data")->status, CheckStatus::kPass);
}

TEST_P(CorpusHcl, EveryTruncationIsAClearErrorNeverAPartialReport) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes blob = read_corpus(GetParam());
  // The runtime claims end before the 2600 bytes the NV index holds (zero padding after).
  const std::size_t end = 0x4D4 + le32(blob, 0x4D0);
  ASSERT_LT(end, blob.size());
  {
    guest::AzureVtpmProvider exact(paravisor_with(Bytes(blob.begin(), blob.begin() + end)));
    EXPECT_TRUE(exact.collect(guest::EvidenceRequest{claimed_user_data(blob), {}, true}));
  }
  for (std::size_t cut : {std::size_t{16}, std::size_t{0x20}, std::size_t{0x200},
                          std::size_t{0x4BF}, std::size_t{0x4C0}, std::size_t{0x4D3},
                          std::size_t{0x4D4}, std::min<std::size_t>(2048, end - 1), end - 1}) {
    guest::AzureVtpmProvider provider(paravisor_with(Bytes(blob.begin(), blob.begin() + cut)));
    auto ev = provider.collect({});
    ASSERT_FALSE(ev) << "cut at " << cut;
    EXPECT_EQ(ev.error().code, Errc::kTruncated) << "cut at " << cut << ": " << ev.error().message;
    EXPECT_NE(ev.error().message.find("truncated HCL report"), std::string::npos)
        << "cut at " << cut << ": " << ev.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(Azure, CorpusHcl, testing::ValuesIn(kBlobs),
                         [](const testing::TestParamInfo<std::string>& param) {
                           return "blob" + std::to_string(param.index);
                         });

TEST(Azure, UserDataTheClaimsDoNotCarryFailsTheCheck) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes blob = read_corpus(kWithUserData);
  guest::AzureVtpmProvider provider(paravisor_with(blob));
  guest::EvidenceRequest zeros{};
  auto ev = provider.collect(zeros);
  ASSERT_TRUE(ev) << ev.error().message;
  auto checks = guest::check_evidence(*ev, zeros);
  EXPECT_FALSE(checks.passed());
  const Check* user = checks.find("guest.hcl.user_data");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->status, CheckStatus::kFail);
  EXPECT_NE(user->detail.find("982f5c6e"), std::string::npos) << user->detail;
  EXPECT_EQ(checks.find("guest.hcl.bound")->status, CheckStatus::kPass);
}

TEST(Azure, ClaimsNotBoundByReportDataFail) {
  VERITEE_REQUIRE_CORPUS();
  Bytes blob = read_corpus(kWithUserData);
  blob[0x4D4 + 2] ^= 0x01;  // one byte of the JSON ("keys" -> "kdys"): hash no longer matches
  guest::AzureVtpmProvider provider(paravisor_with(blob));
  auto request = guest::EvidenceRequest{claimed_user_data(read_corpus(kWithUserData)), {}, true};
  auto ev = provider.collect(request);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(guest::check_evidence(*ev, request).find("guest.hcl.bound")->status,
            CheckStatus::kFail);
}

TEST(Azure, ExistingUserDataIndexIsReusedAndAWrongOneRefused) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes blob = read_corpus(kWithUserData);
  auto tpm = paravisor_with(blob);
  tpm->nv[kHclUserDataIndex] = Bytes(64, 0);
  FakeTpmNv* fake = tpm.get();
  guest::AzureVtpmProvider provider(std::move(tpm));
  ASSERT_TRUE(provider.collect({}));
  EXPECT_EQ(fake->defines, 0);

  auto odd = paravisor_with(blob);
  odd->nv[kHclUserDataIndex] = Bytes(32, 0);
  guest::AzureVtpmProvider refused(std::move(odd));
  auto ev = refused.collect({});
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message.find("holds 32 bytes"), std::string::npos);
}

TEST(Azure, VmplCannotBeChosen) {
  guest::AzureVtpmProvider provider(std::make_unique<FakeTpmNv>());
  guest::EvidenceRequest request{};
  request.vmpl = 0;
  auto ev = provider.collect(request);
  ASSERT_FALSE(ev);
  EXPECT_EQ(ev.error().code, Errc::kUnsupported);
}

TEST(Azure, MissingReportIndexIsAnIoError) {
  guest::AzureVtpmProvider provider(std::make_unique<FakeTpmNv>());
  auto ev = provider.collect({});
  ASSERT_FALSE(ev);
  EXPECT_EQ(ev.error().code, Errc::kIo);
}

// --- against a real software TPM -----------------------------------------------------------

TEST(Swtpm, NvDefineWriteAndChunkedRead) {
  VERITEE_REQUIRE_SWTPM(sw);
  auto tpm = guest::open_tpm(sw->tcti());
  ASSERT_TRUE(tpm) << tpm.error().message;
  constexpr std::uint32_t kIndex = 0x01500010;
  auto absent = (*tpm)->nv_size(kIndex);
  ASSERT_TRUE(absent) << absent.error().message;
  EXPECT_FALSE(*absent);
  ASSERT_TRUE((*tpm)->nv_define(kIndex, 2048));
  EXPECT_EQ(*(*tpm)->nv_size(kIndex), std::optional<std::uint16_t>(2048));
  Bytes data(2048);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  auto wrote = (*tpm)->nv_write(kIndex, data);  // more than TPM2_PT_NV_BUFFER_MAX per command
  ASSERT_TRUE(wrote) << wrote.error().message;
  auto read = (*tpm)->nv_read(kIndex);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, data);
  EXPECT_FALSE((*tpm)->nv_read(0x01500011));  // not defined
}

TEST(Swtpm, HclBlobCutToTheNvLimitIsATruncatedReport) {
  VERITEE_REQUIRE_CORPUS();
  VERITEE_REQUIRE_SWTPM(sw);
  const Bytes blob = read_corpus(kWithUserData);
  {
    auto setup = guest::open_tpm(sw->tcti());
    ASSERT_TRUE(setup) << setup.error().message;
    ASSERT_TRUE((*setup)->nv_define(kHclReportIndex, 2048));
    ASSERT_TRUE((*setup)->nv_write(kHclReportIndex, ByteView(blob).first(2048)));
  }
  auto tpm = guest::open_tpm(sw->tcti());
  ASSERT_TRUE(tpm);
  guest::AzureVtpmProvider provider(std::move(*tpm));
  guest::EvidenceRequest request{};
  request.report_data.fill(0xAB);
  auto ev = provider.collect(request);
  ASSERT_FALSE(ev);
  EXPECT_EQ(ev.error().code, Errc::kTruncated);
  EXPECT_NE(ev.error().message.find("truncated HCL report"), std::string::npos)
      << ev.error().message;

  auto check = guest::open_tpm(sw->tcti());  // the user data went to NV 0x01400002
  ASSERT_TRUE(check);
  auto user = (*check)->nv_read(kHclUserDataIndex);
  ASSERT_TRUE(user) << user.error().message;
  EXPECT_EQ(*user, Bytes(64, 0xAB));
}

TEST(Swtpm, UnreachableTctiIsAnIoError) {
  auto tpm = guest::open_tpm("device:/nonexistent/tpmrm0");
  ASSERT_FALSE(tpm);
  EXPECT_EQ(tpm.error().code, Errc::kIo);
}

}  // namespace
}  // namespace veritee::test
