// The guest commands through the built CLI: flags, exit codes (docs/guest.md), and the Azure
// path end to end against a software TPM.
#include <gtest/gtest.h>

#include "fake_sev_guest.hpp"
#include "support/corpus.hpp"
#include "support/process.hpp"
#include "swtpm.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/guest/azure_vtpm.hpp"
#include "veritee/guest/cert_files.hpp"
#include "veritee/guest/ioctl_provider.hpp"

namespace veritee::test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::vector<std::string> kNowhere = {"--device",   "/nonexistent/sev-guest",
                                           "--tsm-root", "/nonexistent/tsm",
                                           "--tcti",     "device:/nonexistent/tpmrm0"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(CliGuest, DoctorExplainsWhyNothingIsAvailable) {
  auto r = run_cli(with({"doctor"}, kNowhere));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "missing  ioctl")) << r.out;
  EXPECT_TRUE(contains(r.out, "/nonexistent/sev-guest")) << r.out;
  EXPECT_TRUE(contains(r.out, "missing  tsm")) << r.out;
  EXPECT_TRUE(contains(r.out, "missing  azure")) << r.out;
  EXPECT_TRUE(contains(r.out, "kernel")) << r.out;
}

TEST(CliGuest, ReportWithoutAnyProviderIsExit4) {
  auto r = run_cli(with({"report", "--data", "00"}, kNowhere));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "no evidence provider is available")) << r.err;
  auto ioctl = run_cli(with({"report", "--provider", "ioctl"}, kNowhere));
  EXPECT_EQ(ioctl.exit_code, 4);
  EXPECT_TRUE(contains(ioctl.err, "cannot open /nonexistent/sev-guest")) << ioctl.err;
}

TEST(CliGuest, ReportUsageErrorsAreExit2) {
  EXPECT_EQ(run_cli({"report", "--data", std::string(130, 'a')}).exit_code, 2);
  EXPECT_EQ(run_cli({"report", "--data", "zz"}).exit_code, 2);
  EXPECT_EQ(run_cli({"report", "--vmpl", "4"}).exit_code, 2);
  EXPECT_EQ(run_cli(with({"report", "--provider", "sgx"}, kNowhere)).exit_code, 2);
  auto help = run_cli({"report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "4 the device")) << help.out;
}

TEST(CliGuest, KeyFlagsAndMissingDevice) {
  EXPECT_EQ(run_cli({"key", "--fields", "measurment"}).exit_code, 2);
  EXPECT_EQ(run_cli({"key", "--root", "ark"}).exit_code, 2);
  EXPECT_EQ(run_cli({"key", "--tcb", "xyz"}).exit_code, 2);
  auto r = run_cli({"key", "--fields", "measurement", "--device", "/nonexistent/sev-guest"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  auto help = run_cli({"key", "--help"});
  EXPECT_TRUE(contains(help.out, "refuses")) << help.out;
}

TEST(CliGuest, CertificatesSplitsASavedTable) {
  VERITEE_REQUIRE_CORPUS();
  auto vcek = read_corpus("ms-tee-attestation-verification/milan_vcek.pem");
  auto table =
      snp::build_cert_table({{"11111111-2222-3333-4444-555555555555", "unknown", Bytes{9, 9}}});
  ASSERT_TRUE(table);
  TempDir dir;
  auto in = dir.write("table.bin", *table);
  auto r = run_cli({"certificates", "--in", in.string(), "--out-dir", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "unknown  11111111-2222-3333-4444-555555555555")) << r.out;
  EXPECT_EQ(slurp(dir / "out" / "unknown-11111111-2222-3333-4444-555555555555.bin"), (Bytes{9, 9}));
  auto bad = dir.write("bad.bin", Bytes(10, 0xFF));
  EXPECT_EQ(
      run_cli({"certificates", "--in", bad.string(), "--out-dir", dir.path().string()}).exit_code,
      2);
  EXPECT_EQ(run_cli(with({"certificates"}, kNowhere)).exit_code, 4);
}

// What `veritee report` saves (the report, FILE.certs) is what `veritee verify` takes, unchanged.
TEST(CliGuest, SavedGuestEvidenceFeedsVerify) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = read_corpus("ms-tee-attestation-verification/milan_attestation_report.bin");
  auto vcek =
      x509::Certificate::load_file(corpus_path("ms-tee-attestation-verification/milan_vcek.pem"));
  auto chain = x509::Certificate::load_file(corpus_path("go-sev-guest/ask_ark_milan.pem"));
  ASSERT_TRUE(vcek && chain);
  auto table = snp::build_cert_table({{std::string(snp::kGuidVcek), "vcek", vcek->at(0).der()},
                                      {std::string(snp::kGuidAsk), "ask", chain->at(0).der()},
                                      {std::string(snp::kGuidArk), "ark", chain->at(1).der()}});
  ASSERT_TRUE(table);
  auto dev = std::make_unique<FakeSevGuest>(report);
  dev->host_certs = *table;
  guest::IoctlProvider provider(std::move(dev));
  guest::ReportData data{};
  std::copy(report.begin() + 0x50, report.begin() + 0x90, data.begin());
  auto ev = provider.collect({data, std::nullopt, true});
  ASSERT_TRUE(ev && ev->cert_table);

  TempDir dir;
  auto report_file = dir.write("report.bin", ev->report);
  auto certs_file = dir.write("report.bin.certs", *ev->cert_table);
  auto split =
      run_cli({"certificates", "--in", certs_file.string(), "--out-dir", (dir / "certs").string()});
  ASSERT_EQ(split.exit_code, 0) << split.out << split.err;

  // `verify` takes the table itself where it has --cert-table; offline where it can be.
  const std::string help = run_cli({"verify", "--help"}).out;
  std::vector<std::string> offline;
  if (contains(help, "--offline")) offline = {"--offline", "--no-crl"};
  if (contains(help, "--cert-table")) {
    auto r = run_cli(with(with({"verify", "--cert-table", certs_file.string()}, offline),
                          {report_file.string()}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  auto files = run_cli(with(with({"verify", "--vcek", (dir / "certs" / "vcek.pem").string(),
                                  "--chain", (dir / "certs" / "chain.pem").string()},
                                 offline),
                            {report_file.string()}));
  EXPECT_EQ(files.exit_code, 0) << files.out << files.err;
}

TEST(CliGuest, AzureReportThroughSwtpmTruncatedBlobIsExit4) {
  VERITEE_REQUIRE_CORPUS();
  VERITEE_REQUIRE_SWTPM(sw);
  const Bytes blob = read_corpus("trustee/az-snp-vtpm/hcl-report.bin");
  {
    auto tpm = guest::open_tpm(sw->tcti());
    ASSERT_TRUE(tpm) << tpm.error().message;
    ASSERT_TRUE((*tpm)->nv_define(guest::kHclReportIndex, 2048));
    ASSERT_TRUE((*tpm)->nv_write(guest::kHclReportIndex, ByteView(blob).first(2048)));
  }
  auto doctor = run_cli(
      {"doctor", "--device", "/nonexistent", "--tsm-root", "/nonexistent", "--tcti", sw->tcti()});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out << doctor.err;
  EXPECT_TRUE(contains(doctor.out, "ok       azure")) << doctor.out;
  EXPECT_TRUE(contains(doctor.out, "NV 0x01400001 holds 2048 bytes")) << doctor.out;

  TempDir dir;
  auto r = run_cli({"report", "--provider", "azure", "--tcti", sw->tcti(), "--data", "abcd",
                    "--out", (dir / "r.bin").string()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "truncated HCL report")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "r.bin"));  // no partial report saved
}

}  // namespace
}  // namespace veritee::test
