// /dev/sev-guest requests against a double of the kernel and firmware (fake_sev_guest.hpp)
// answering with real AMD-signed corpus reports.
#include <gtest/gtest.h>

#include <cerrno>

#include "fake_sev_guest.hpp"
#include "support/corpus.hpp"
#include "support/process.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/guest/cert_files.hpp"
#include "veritee/guest/evidence_checks.hpp"
#include "veritee/guest/ioctl_provider.hpp"
#include "veritee/guest/sev_guest_client.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::test {
namespace {

using guest::ReportData;

// A Milan v3 report with its VCEK and the AMD Milan chain (MANIFEST oracle PASS).
constexpr const char* kReport = "ms-tee-attestation-verification/milan_attestation_report.bin";
constexpr const char* kVcek = "ms-tee-attestation-verification/milan_vcek.pem";
constexpr const char* kChain = "go-sev-guest/ask_ark_milan.pem";

ReportData report_data_of(const Bytes& report) {
  ReportData out{};
  std::copy(report.begin() + 0x50, report.begin() + 0x90, out.begin());
  return out;
}

// The host's table as a hypervisor would fill it: VCEK, ASK, ARK (DER).
Bytes host_table() {
  auto vcek = x509::Certificate::load_file(corpus_path(kVcek));
  auto chain = x509::Certificate::load_file(corpus_path(kChain));
  EXPECT_TRUE(vcek && chain && chain->size() == 2);
  std::vector<snp::CertTableEntry> entries{{std::string(snp::kGuidVcek), "vcek", vcek->at(0).der()},
                                           {std::string(snp::kGuidAsk), "ask", chain->at(0).der()},
                                           {std::string(snp::kGuidArk), "ark", chain->at(1).der()}};
  auto table = snp::build_cert_table(entries);
  EXPECT_TRUE(table) << table.error().message;
  return *table;
}

TEST(Ioctl, GetReportReturnsTheFirmwaresExactBytes) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  FakeSevGuest dev(report);
  guest::SevGuestClient client(dev);
  auto got = client.get_report(report_data_of(report), 0);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->report, report);
  EXPECT_FALSE(got->cert_table);
  EXPECT_EQ(dev.report_requests, 1);
}

TEST(Ioctl, ExtendedReportProbesTheCertificateSizeAndRetries) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  FakeSevGuest dev(report);
  dev.host_certs = host_table();
  ASSERT_GT(dev.host_certs->size(), guest::kPageSize);  // one page is too small
  guest::SevGuestClient client(dev);
  auto got = client.get_ext_report(report_data_of(report), 0);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->attempts, 2);
  EXPECT_EQ(dev.certs_lens_seen, (std::vector<std::uint32_t>{4096, 8192}));
  EXPECT_EQ(got->certs_buffer_len, 8192u);
  EXPECT_EQ(got->report, report);
  ASSERT_TRUE(got->cert_table);
  EXPECT_EQ(*got->cert_table, *dev.host_certs);  // trimmed to the table, not the 8 KiB buffer
  EXPECT_FALSE(dev.vmpck_wiped);
}

TEST(Ioctl, HostWithoutCertificatesGivesNoTable) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  FakeSevGuest dev(report);
  guest::SevGuestClient client(dev);
  auto got = client.get_ext_report(report_data_of(report), 0);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->attempts, 1);
  EXPECT_FALSE(got->cert_table);
}

TEST(Ioctl, TableAboveTheKernelLimitIsAnErrorNotAnEndlessRetry) {
  VERITEE_REQUIRE_CORPUS();
  FakeSevGuest dev(read_corpus(kReport));
  Bytes big = host_table();
  big.resize(5 * guest::kPageSize, 0);  // 20 KiB > SEV_FW_BLOB_MAX_SIZE
  dev.host_certs = big;
  guest::SevGuestClient client(dev);
  auto got = client.get_ext_report(ReportData{}, 0);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("16 KiB"), std::string::npos) << got.error().message;
  EXPECT_EQ(dev.ext_report_requests, 1);
}

TEST(Ioctl, FirmwareErrorIsDecodedAndTheWipedVmpckIsExplained) {
  VERITEE_REQUIRE_CORPUS();
  FakeSevGuest dev(read_corpus(kReport));
  dev.fail_next_with_fw_error = 0x16;
  guest::SevGuestClient client(dev);
  auto first = client.get_report(ReportData{}, 0);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, Errc::kIo);
  EXPECT_NE(first.error().message.find("INVALID_PARAM (0x16)"), std::string::npos)
      << first.error().message;
  EXPECT_NE(first.error().message.find("VMPCK"), std::string::npos);
  auto second = client.get_report(ReportData{}, 0);  // the VMPCK is gone now
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("until the VM reboots"), std::string::npos)
      << second.error().message;
  EXPECT_EQ(dev.report_requests, 1);  // the second never got past the kernel
}

TEST(Ioctl, ReportStatusFromTheFirmwareIsAnError) {
  VERITEE_REQUIRE_CORPUS();
  FakeSevGuest dev(read_corpus(kReport));
  dev.guest_vmpl = 2;
  guest::SevGuestClient client(dev);
  auto got = client.get_report(ReportData{}, 0);  // below the guest's VMPL
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("STATUS INVALID_PARAM"), std::string::npos)
      << got.error().message;
  EXPECT_FALSE(dev.vmpck_wiped);
}

TEST(Ioctl, ProviderEvidenceIsCheckedAgainstTheRequest) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  auto dev = std::make_unique<FakeSevGuest>(report);
  dev->host_certs = host_table();
  guest::IoctlProvider provider(std::move(dev));

  guest::EvidenceRequest asked{report_data_of(report), std::nullopt, true};
  auto ev = provider.collect(asked);
  ASSERT_TRUE(ev) << ev.error().message;
  auto checks = guest::check_evidence(*ev, asked);
  EXPECT_TRUE(checks.passed());
  ASSERT_NE(checks.find("guest.cert_table"), nullptr);
  EXPECT_NE(checks.find("guest.cert_table")->detail.find("vcek, ask, ark"), std::string::npos);

  guest::EvidenceRequest other = asked;
  other.report_data[0] ^= 1;  // the firmware answered for different data
  auto ev2 = provider.collect(other);
  ASSERT_TRUE(ev2);
  auto failed = guest::check_evidence(*ev2, other);
  EXPECT_FALSE(failed.passed());
  EXPECT_EQ(failed.find("guest.report_data")->status, CheckStatus::kFail);
  EXPECT_EQ(failed.verdict(), Verdict::kEvidenceFailed);

  guest::EvidenceRequest vmpl1 = asked;
  vmpl1.vmpl = 1;  // the report says VMPL 0
  auto ev3 = provider.collect(vmpl1);
  ASSERT_TRUE(ev3);
  EXPECT_EQ(guest::check_evidence(*ev3, vmpl1).find("guest.vmpl")->status, CheckStatus::kFail);
}

TEST(Ioctl, PatchedAnswersCarryWhateverWasAsked) {
  VERITEE_REQUIRE_CORPUS();
  auto dev = std::make_unique<FakeSevGuest>(read_corpus(kReport));
  dev->patch_request = true;
  guest::IoctlProvider provider(std::move(dev));
  guest::EvidenceRequest asked{};
  asked.report_data.fill(0x5A);
  asked.vmpl = 3;
  auto ev = provider.collect(asked);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_TRUE(guest::check_evidence(*ev, asked).passed());
}

// Guest output feeds verification directly: the saved report and the certificate files
// written from the host's table verify against the pinned AMD roots.
TEST(Ioctl, SavedEvidenceVerifiesWithTheHostsCertificates) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus(kReport);
  auto dev = std::make_unique<FakeSevGuest>(report);
  dev->host_certs = host_table();
  guest::IoctlProvider provider(std::move(dev));
  auto ev = provider.collect({report_data_of(report), std::nullopt, true});
  ASSERT_TRUE(ev && ev->cert_table);

  TempDir dir;
  auto written = guest::write_cert_table(*ev->cert_table, dir.path());
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(written->size(), 4u);  // vcek, ask, ark, chain
  EXPECT_EQ(written->back().role, "chain");

  auto vcek = x509::Certificate::load_file(dir / "vcek.pem");
  auto chain = x509::Certificate::load_file(dir / "chain.pem");
  ASSERT_TRUE(vcek && chain);
  EXPECT_EQ(slurp(dir / "vcek.der"), vcek->at(0).der());
  auto parsed = snp::Report::parse(ev->report);
  ASSERT_TRUE(parsed);
  Endorsements endorsements{vcek->at(0), *chain, std::nullopt};
  VerifyOptions options{std::chrono::system_clock::now(), std::nullopt, false};
  auto result = Verifier().verify(*parsed, endorsements, options);
  for (const auto& c : result.checks.checks) {
    EXPECT_TRUE(c.ok()) << c.id << ": " << c.detail;
  }
  EXPECT_TRUE(result.verified());
}

TEST(Ioctl, UnknownGuidsAreKeptAndListed) {
  Bytes blob{1, 2, 3, 4};
  auto table = snp::build_cert_table({{"11111111-2222-3333-4444-555555555555", "unknown", blob}});
  ASSERT_TRUE(table);
  TempDir dir;
  auto written = guest::write_cert_table(*table, dir.path());
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(written->size(), 1u);
  EXPECT_EQ(written->at(0).role, "unknown");
  EXPECT_EQ(slurp(dir / "unknown-11111111-2222-3333-4444-555555555555.bin"), blob);
}

TEST(Ioctl, TrimCertTable) {
  Bytes zeros(4096, 0);
  auto none = guest::trim_cert_table(zeros);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  Bytes no_terminator(48, 0xFF);
  EXPECT_FALSE(guest::trim_cert_table(no_terminator));
}

TEST(Ioctl, RealDeviceMissingIsAnIoError) {
  auto dev = guest::open_sev_guest_device("/nonexistent/sev-guest");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code, Errc::kIo);
  EXPECT_NE(dev.error().message.find("/nonexistent/sev-guest"), std::string::npos);
}

}  // namespace
}  // namespace veritee::test
