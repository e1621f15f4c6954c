// The inputs users have (issue 12): a VCEK of another chip is an endorsement problem (exit 3),
// --at refuses impossible dates, verify --json prints an error object on exit 2 and 3,
// certificates as base64 DER text; and the help of the guest commands states their own exit
// codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/process.hpp"
#include "veritee/snp/cert_table.hpp"

namespace veritee {
namespace {

using nlohmann::json;
using test::run_cli;
using test::TempDir;

std::string path_of(const std::string& rel) { return test::corpus_path(rel).string(); }

std::string explain(const test::CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out.substr(0, 4000) +
         "\n--- stderr\n" + r.err.substr(0, 2000);
}

const std::string kRoot = VERITEE_SOURCE_DIR;
const std::string kSample = kRoot + "/samples/turin-v5/report.bin";
const std::string kSampleVcek = kRoot + "/samples/turin-v5/vcek.pem";

TEST(OtherChip, VcekOfAnotherChipExitsThreeNamingBothChips) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes report = test::report_bytes_of(*test::find_row(
      [](const test::ManifestRow& r) { return r.report == "trustee/test-report.bin"; }));
  auto r = run_cli({"verify", "--vcek", path_of("ms-tee-attestation-verification/milan_vcek.pem"),
                    path_of("trustee/test-report.bin")});
  EXPECT_EQ(r.exit_code, 3) << explain(r);
  EXPECT_NE(r.err.find("this VCEK is for chip "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the report is from chip " + to_hex(ByteView(report).subspan(0x1A0, 64))),
            std::string::npos)
      << r.err;
  auto j = run_cli({"verify", "--json", "--vcek", path_of("ms-tee-attestation-verification/milan_vcek.pem"),
                    path_of("trustee/test-report.bin")});
  EXPECT_EQ(j.exit_code, 3);
  json o = json::parse(j.out);
  EXPECT_EQ(o["exit_code"], 3);
  EXPECT_EQ(o["verified"], false);
  EXPECT_NE(o["error"].get<std::string>().find("this VCEK is for chip"), std::string::npos);
  // Batch mode: that report's line says so, exit 3.
  auto b = run_cli({"verify", "--vcek", path_of("ms-tee-attestation-verification/milan_vcek.pem"),
                    path_of("trustee/test-report.bin"), path_of("trustee/test-report.bin")});
  EXPECT_EQ(b.exit_code, 3) << explain(b);
  EXPECT_NE(b.out.find("this VCEK is for chip"), std::string::npos) << b.out;
}

TEST(AtFlag, ImpossibleDateIsAUsageError) {
  auto r = run_cli({"verify", "--at", "2026-02-31", "--vcek", kSampleVcek, kSample});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
  EXPECT_NE(r.err.find("--at"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2026-02-31"), std::string::npos) << r.err;
}

TEST(JsonErrors, ExitTwoAndThreePrintAnErrorObject) {
  TempDir dir;
  auto junk = dir.write("junk.bin", std::string("not a report"));
  auto r = run_cli({"verify", "--json", "--vcek", kSampleVcek, junk.string()});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
  json o = json::parse(r.out);
  EXPECT_EQ(o["exit_code"], 2);
  EXPECT_EQ(o["verified"], false);
  EXPECT_EQ(o["file"], junk.string());
  EXPECT_TRUE(o["error"].is_string());
  // No VCEK anywhere offline, empty cache: exit 3.
  r = run_cli({"verify", "--json", "--offline", "--cache-dir", (dir / "cache").string(), kSample});
  EXPECT_EQ(r.exit_code, 3) << explain(r);
  o = json::parse(r.out);
  EXPECT_EQ(o["exit_code"], 3);
  EXPECT_TRUE(o["error"].is_string());
}

TEST(Base64Certificates, VcekAndChainAsBase64DerText) {
  VERITEE_REQUIRE_CORPUS();
  TempDir dir;
  const Bytes vcek = test::read_corpus("virtee-sev/vcek_milan.der");
  auto vcek_b64 = dir.write("vcek.b64", to_base64(vcek) + "\n");
  auto r = run_cli({"verify", "--vcek", vcek_b64.string(), path_of("virtee-sev/report_milan.hex")});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  // The chain: each certificate of the PEM bundle as its own base64 file.
  auto chain = x509::Certificate::load_file(test::corpus_path("go-sev-guest/ask_ark_milan.pem"));
  ASSERT_TRUE(chain) << chain.error().message;
  std::vector<std::string> args = {"verify", "--vcek", vcek_b64.string()};
  for (std::size_t i = 0; i < chain->size(); ++i) {
    auto f = dir.write("chain" + std::to_string(i) + ".b64", to_base64((*chain)[i].der()));
    args.insert(args.end(), {"--chain", f.string()});
  }
  args.push_back(path_of("virtee-sev/report_milan.hex"));
  r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

// go-sev-guest's `attest -extended`: the report, then the certificate table from the host.
TEST(ExtendedAttest, ReportWithCertTableIsDetectedAndItsVcekUsed) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const test::ManifestRow& r) {
    return r.report == "ms-tee-attestation-verification/milan_attestation_report.bin";
  });
  if (!row) GTEST_SKIP() << "milan_attestation_report.bin absent";
  auto vcek = x509::Certificate::load_file(test::corpus_path(row->signer));
  ASSERT_TRUE(vcek && vcek->size() == 1);
  auto table = snp::build_cert_table(
      {{"63da758d-e664-4564-adc5-f4b93be8accd", "vcek", vcek->front().der()}});
  ASSERT_TRUE(table) << table.error().message;
  Bytes extended = test::report_bytes_of(*row);
  extended.insert(extended.end(), table->begin(), table->end());
  extended.resize(extended.size() + 200, 0);  // the kernel's buffer is zero-padded
  TempDir dir;
  auto file = dir.write("attest-extended.bin", extended);

  auto show = run_cli({"show", file.string()});
  EXPECT_EQ(show.exit_code, 0) << explain(show);
  EXPECT_NE(show.out.find("report + certificate table (certificate table at 0x4A0: vcek)"),
            std::string::npos)
      << show.out;
  auto r = run_cli({"verify", "--offline", "--cache-dir", (dir / "cache").string(), file.string()});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  EXPECT_NE(r.out.find("endorsement: VCEK from certificate table"), std::string::npos) << r.out;

  // Trailing bytes that are no certificate table stay an error.
  Bytes junk = test::report_bytes_of(*row);
  junk.resize(junk.size() + 64, 0x41);
  auto bad = dir.write("junk.bin", junk);
  EXPECT_EQ(run_cli({"show", bad.string()}).exit_code, 2);
}

// snpguest: `snpguest report` and `snpguest certificates pem DIR` output.
TEST(Snpguest, ReportAndCertsDirectoryVerify) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const test::ManifestRow& r) {
    return r.report == "ms-tee-attestation-verification/milan_attestation_report.bin";
  });
  if (!row) GTEST_SKIP() << "milan_attestation_report.bin absent";
  TempDir dir;
  std::filesystem::create_directory(dir / "certs");
  dir.write("attestation-report.bin", test::report_bytes_of(*row));
  dir.write("certs/vcek.pem", test::read_corpus(row->signer));
  auto chain = x509::Certificate::load_file(test::corpus_path(row->chain));
  ASSERT_TRUE(chain && chain->size() == 2);
  for (const auto& c : *chain) {
    dir.write(c.is_self_issued() ? "certs/ark.der" : "certs/ask.der", c.der());
  }
  auto show = run_cli({"show", dir.path().string()});
  EXPECT_EQ(show.exit_code, 0) << explain(show);
  EXPECT_NE(show.out.find("snpguest files: report attestation-report.bin"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("vcek.pem, ask.der, ark.der"), std::string::npos) << show.out;
  auto r = run_cli({"verify", "--offline", "--cache-dir", (dir / "cache").string(), dir.path().string()});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  auto j = run_cli({"verify", "--json", "--certs-dir", (dir / "certs").string(),
                    (dir / "attestation-report.bin").string()});
  EXPECT_EQ(j.exit_code, 0) << explain(j);
  EXPECT_NE(j.out.find("certs/vcek.pem"), std::string::npos) << j.out;
  EXPECT_EQ(run_cli({"verify", "--certs-dir", (dir / "nope").string(), dir.path().string()}).exit_code, 2);
}

TEST(GuestHelp, KeyAndCertificatesStateTheirOwnExitCodes) {
  auto key = run_cli({"key", "--help"});
  EXPECT_EQ(key.exit_code, 0);
  EXPECT_NE(key.out.find("0 key derived"), std::string::npos) << key.out;
  EXPECT_EQ(key.out.find("no certificate table"), std::string::npos) << key.out;
  EXPECT_EQ(key.out.find("evidence failed a check"), std::string::npos) << key.out;
  auto certs = run_cli({"certificates", "--help"});
  EXPECT_EQ(certs.exit_code, 0);
  EXPECT_NE(certs.out.find("0 certificates written"), std::string::npos) << certs.out;
  EXPECT_EQ(certs.out.find("evidence failed a check"), std::string::npos) << certs.out;
}

}  // namespace
}  // namespace veritee
