// configfs-tsm evidence against an emulated kernel (tsm_kernel.hpp) on a temporary directory.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/process.hpp"
#include "tsm_kernel.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/guest/evidence_checks.hpp"
#include "veritee/guest/tsm_provider.hpp"

namespace veritee::test {
namespace {

using guest::EvidenceRequest;

constexpr const char* kReport = "oak/extracted/turin_oc_evidence.binarypb.raw_f1_f2.report.bin";

guest::ReportData data_of(const Bytes& report) {
  guest::ReportData out{};
  std::copy(report.begin() + 0x50, report.begin() + 0x90, out.begin());
  return out;
}

Bytes small_table() {
  auto table = snp::build_cert_table({{std::string(snp::kGuidVcek), "vcek", Bytes{0x30, 0x00}}});
  EXPECT_TRUE(table);
  return *table;
}

TEST(Tsm, ReportAndCertificateTableFromTheKernel) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  TempDir root;
  TsmKernel kernel(root.path(), {report, small_table()});
  guest::TsmProvider provider(kernel.options());
  EvidenceRequest request{data_of(report), std::nullopt, true};
  auto ev = provider.collect(request);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->provider, guest::ProviderKind::kTsm);
  EXPECT_EQ(ev->report, report);
  ASSERT_TRUE(ev->cert_table);
  EXPECT_EQ(*ev->cert_table, small_table());
  EXPECT_EQ(kernel.last_inblob(), Bytes(request.report_data.begin(), request.report_data.end()));
  EXPECT_FALSE(kernel.last_privlevel());  // not written when no VMPL is asked
  EXPECT_TRUE(guest::check_evidence(*ev, request).passed());
  EXPECT_EQ(kernel.created(), kernel.removed());
  EXPECT_EQ(kernel.removed().size(), 1u);
  EXPECT_TRUE(std::filesystem::is_empty(root.path()));
}

TEST(Tsm, PrivlevelIsWrittenAndCounted) {
  VERITEE_REQUIRE_CORPUS();
  TempDir root;
  TsmKernel::Config config{read_corpus(kReport), std::nullopt};
  config.patch_request = true;
  TsmKernel kernel(root.path(), config);
  guest::TsmProvider provider(kernel.options());
  EvidenceRequest request{};
  request.report_data.fill(0x42);
  request.vmpl = 2;
  auto ev = provider.collect(request);
  ASSERT_TRUE(ev) << ev.error().message;  // generation 0 -> 2 after our two writes
  EXPECT_EQ(kernel.last_privlevel(), "2");
  EXPECT_FALSE(ev->cert_table);
  EXPECT_TRUE(guest::check_evidence(*ev, request).passed());
}

TEST(Tsm, ASecondWriterIsDetectedThroughGeneration) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  TempDir root;
  TsmKernel::Config config{report, std::nullopt};
  config.concurrent_writer = true;
  TsmKernel kernel(root.path(), config);
  guest::TsmProvider provider(kernel.options());
  auto ev = provider.collect({data_of(report), std::nullopt, true});
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message.find("another writer"), std::string::npos) << ev.error().message;
  EXPECT_NE(ev.error().message.find("generation went from 0 to 2"), std::string::npos)
      << ev.error().message;
  EXPECT_EQ(kernel.removed().size(), 1u);  // removed even on failure
}

TEST(Tsm, FailedRequestStillRemovesTheEntry) {
  VERITEE_REQUIRE_CORPUS();
  TempDir root;
  TsmKernel::Config config{read_corpus(kReport), std::nullopt};
  config.fail_outblob = true;
  TsmKernel kernel(root.path(), config);
  guest::TsmProvider provider(kernel.options());
  auto ev = provider.collect({});
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message.find("outblob is 0 bytes"), std::string::npos) << ev.error().message;
  EXPECT_EQ(kernel.removed(), kernel.created());
}

TEST(Tsm, OtherProvidersAreRefusedBeforeAnyWrite) {
  VERITEE_REQUIRE_CORPUS();
  TempDir root;
  TsmKernel::Config config{read_corpus(kReport), std::nullopt};
  config.provider = "tdx_guest";
  TsmKernel kernel(root.path(), config);
  guest::TsmProvider provider(kernel.options());
  auto ev = provider.collect({});
  ASSERT_FALSE(ev);
  EXPECT_NE(ev.error().message.find("tdx_guest"), std::string::npos);
  EXPECT_FALSE(kernel.last_inblob());
  EXPECT_EQ(kernel.removed().size(), 1u);

  auto probed = guest::probe_tsm_provider(kernel.options());
  ASSERT_TRUE(probed) << probed.error().message;
  EXPECT_EQ(*probed, "tdx_guest");
}

TEST(Tsm, MissingRootIsAnIoError) {
  guest::TsmOptions options;
  options.root = "/nonexistent/tsm/report";
  guest::TsmProvider provider(options);
  auto ev = provider.collect({});
  ASSERT_FALSE(ev);
  EXPECT_EQ(ev.error().code, Errc::kIo);
  EXPECT_NE(ev.error().message.find("configfs-tsm not available"), std::string::npos)
      << ev.error().message;
}

}  // namespace
}  // namespace veritee::test
