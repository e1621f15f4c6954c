// The veritee CLI as a user runs it: `show` and `verify` on corpus evidence, exit codes
// 0 verified / 1 evidence failed a check / 2 usage or malformed input / 3 endorsement missing or
// unusable, and the documented JSON.
#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/process.hpp"
#include "support/test_pki.hpp"

namespace veritee {
namespace {

using nlohmann::json;
using test::ManifestRow;
using test::run_cli;
using test::TempDir;

std::string own_hex(const Bytes& b, std::size_t off, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = off; i < off + n; ++i) {
    s.push_back(digits[b[i] >> 4]);
    s.push_back(digits[b[i] & 15]);
  }
  return s;
}

std::string path_of(const std::string& rel) { return test::corpus_path(rel).string(); }

std::string explain(const test::CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out.substr(0, 4000) +
         "\n--- stderr\n" + r.err.substr(0, 2000);
}

json parse_json(const test::CommandResult& r) {
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON (" << e.what() << ")\n" << explain(r);
    return json();
  }
}

// verify's arguments for a manifest row (signer, chain, at).
std::vector<std::string> verify_args(const ManifestRow& row) {
  std::vector<std::string> args = {"verify"};
  if (row.has_signer()) args.insert(args.end(), {"--vcek", path_of(row.signer)});
  if (row.has_chain()) args.insert(args.end(), {"--chain", path_of(row.chain)});
  if (row.at != "-") args.insert(args.end(), {"--at", row.at});
  return args;
}

bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

class CliShow : public testing::TestWithParam<ManifestRow> {};

TEST_P(CliShow, TextExitsZero) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto r = run_cli({"show", path_of(row.report)});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  EXPECT_FALSE(r.out.empty());
  if (row.container() == "azure-hcl-report") {
    EXPECT_NE(r.out.find("HCL"), std::string::npos) << "names the detected container\n"
                                                    << explain(r);
  }
}

TEST_P(CliShow, JsonHasDocumentedKeys) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  std::vector<std::string> args = {"show", "--json"};
  if (row.version < 3 && row.product_value()) args.insert(args.end(), {"--product", row.product});
  args.push_back(path_of(row.report));
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << explain(r);
  json j = parse_json(r);
  ASSERT_TRUE(j.is_object()) << explain(r);
  for (const char* key : {"version", "product", "measurement", "report_data", "host_data",
                          "chip_id", "reported_tcb", "policy", "signing_key"}) {
    ASSERT_TRUE(j.contains(key)) << "missing " << key << "\n" << explain(r);
  }
  Bytes b = test::report_bytes_of(row);
  EXPECT_EQ(j["version"], row.version);
  EXPECT_EQ(j["signing_key"], row.key);
  for (auto [key, off, n] : {std::tuple<const char*, std::size_t, std::size_t>{"measurement", 0x90, 48},
                             {"report_data", 0x50, 64},
                             {"host_data", 0xC0, 32},
                             {"chip_id", 0x1A0, 64}}) {
    ASSERT_TRUE(j[key].is_string()) << key;
    std::string v = j[key].get<std::string>();
    EXPECT_TRUE(is_lower_hex(v)) << key << " = " << v;
    EXPECT_EQ(v, own_hex(b, off, n)) << key;
  }
  EXPECT_TRUE(j["reported_tcb"].is_object()) << j["reported_tcb"].dump();
  EXPECT_TRUE(j["policy"].is_object()) << j["policy"].dump();
  if (row.product_value() && row.version <= 5) {
    EXPECT_EQ(j["product"], row.product) << j["product"].dump();
    // The SPLs in the JSON are the ones DESIGN.md 3.2's layout puts at these bytes.
    const json& tcb = j["reported_tcb"];
    std::size_t snp_byte = row.product == "turin" ? 3 : 6;
    bool found = false;
    for (auto& [k, v] : tcb.items()) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (name == "snp" || name == "snp_spl") {
        found = true;
        EXPECT_EQ(v, b[0x180 + snp_byte]) << tcb.dump();
      }
    }
    EXPECT_TRUE(found) << "reported_tcb names the SNP SPL: " << tcb.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, CliShow, testing::ValuesIn(test::all_manifest_rows()),
                         test::ManifestRowName{});

class CliVerify : public testing::TestWithParam<ManifestRow> {};

TEST_P(CliVerify, PassRowExitsZero) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto args = verify_args(row);
  args.push_back(path_of(row.report));
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

TEST_P(CliVerify, JsonShape) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto args = verify_args(row);
  args.push_back("--json");
  args.push_back(path_of(row.report));
  auto r = run_cli(args);
  ASSERT_EQ(r.exit_code, 0) << explain(r);
  json j = parse_json(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["verified"], true);
  ASSERT_TRUE(j["checks"].is_array());
  ASSERT_FALSE(j["checks"].empty());
  for (const auto& c : j["checks"]) {
    ASSERT_TRUE(c.contains("id") && c.contains("ok") && c.contains("detail")) << c.dump();
    EXPECT_TRUE(c["id"].is_string());
    EXPECT_TRUE(c["ok"].is_boolean());
    EXPECT_TRUE(c["detail"].is_string());
    EXPECT_EQ(c["ok"], true) << c.dump();
  }
  ASSERT_TRUE(j["report"].is_object());
  EXPECT_EQ(j["report"]["version"], row.version);
  EXPECT_EQ(j["report"]["product"], row.product);
  EXPECT_EQ(j["report"]["signing_key"], row.key);
}

TEST_P(CliVerify, FlippedBitExitsOne) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes input = test::decoded_input(row);
  input[row.report_offset() + 0x90] ^= 0x01;  // MEASUREMENT
  TempDir dir;
  auto file = dir.write("flipped.bin", input);
  auto args = verify_args(row);
  args.push_back("--json");
  args.push_back(file.string());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << explain(r);
  json j = parse_json(r);
  EXPECT_EQ(j["verified"], false);
  bool signature_failed = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "report.signature") signature_failed = c["ok"] == false;
  }
  EXPECT_TRUE(signature_failed) << explain(r);
}

INSTANTIATE_TEST_SUITE_P(Manifest, CliVerify,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.oracle_pass(); })),
                         test::ManifestRowName{});

class CliNegative : public testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    auto row = test::find_row([](const ManifestRow& r) {
      return r.oracle_pass() && r.key == "VCEK" && r.base_encoding() == "binary" &&
             r.container().empty() && r.version >= 3 && r.product == "milan";
    });
    if (!row) GTEST_SKIP() << "no raw v3 Milan report";
    row_ = *row;
  }
  ManifestRow row_;
  TempDir dir_;
};

TEST_F(CliNegative, TruncatedFileExitsTwo) {
  Bytes b = test::read_corpus(row_.report);
  b.pop_back();
  auto file = dir_.write("short.bin", b);
  auto show = run_cli({"show", file.string()});
  EXPECT_EQ(show.exit_code, 2) << explain(show);
  EXPECT_FALSE(show.err.empty()) << "says why on stderr";
  auto args = verify_args(row_);
  args.push_back(file.string());
  auto verify = run_cli(args);
  EXPECT_EQ(verify.exit_code, 2) << explain(verify);
}

TEST_F(CliNegative, OversizedFileExitsTwo) {
  Bytes b = test::read_corpus(row_.report);
  b.push_back(0);
  auto file = dir_.write("long.bin", b);
  auto show = run_cli({"show", file.string()});
  EXPECT_EQ(show.exit_code, 2) << explain(show);
}

TEST_F(CliNegative, UsageErrorsExitTwo) {
  auto report = path_of(row_.report);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"show"},
           {"verify"},
           {"show", "--bogus-flag", report},
           {"show", "--product", "rome", report},
           {"verify", "--at", "not-a-time", "--vcek", path_of(row_.signer), report},
           {"verify", "--product", "naples", "--vcek", path_of(row_.signer), report},
           {"show", (dir_ / "missing.bin").string()},
           {"no-such-command"}}) {
    auto r = run_cli(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << "veritee " << joined << "\n" << explain(r);
  }
}

TEST_F(CliNegative, MissingSignerExitsThree) {
  auto r = run_cli({"verify", "--offline", "--cache-dir", dir_.path().string(), "--json",
                    path_of(row_.report)});
  EXPECT_EQ(r.exit_code, 3) << explain(r);
}

TEST_F(CliNegative, UnreadableVcekExitsThree) {
  auto garbage = dir_.write("vcek.pem", std::string("not a certificate"));
  auto r = run_cli({"verify", "--vcek", garbage.string(), path_of(row_.report)});
  EXPECT_EQ(r.exit_code, 3) << explain(r);
  auto missing = run_cli({"verify", "--vcek", (dir_ / "nope.der").string(), path_of(row_.report)});
  EXPECT_EQ(missing.exit_code, 3) << explain(missing);
}

// Another chip's VCEK is an endorsement problem, not a forged report (issue 12).
TEST_F(CliNegative, OtherChipsVcekExitsThree) {
  auto other = test::find_row([&](const ManifestRow& r) {
    return r.oracle_pass() && r.key == "VCEK" && r.product == "milan" && r.signer != row_.signer &&
           test::report_bytes_of(r)[0x1A0] != test::report_bytes_of(row_)[0x1A0];
  });
  if (!other) GTEST_SKIP();
  auto r = run_cli({"verify", "--json", "--vcek", path_of(other->signer), path_of(row_.report)});
  EXPECT_EQ(r.exit_code, 3) << explain(r);
  EXPECT_NE(parse_json(r)["error"].get<std::string>().find("this VCEK is for chip"), std::string::npos);
}

TEST_F(CliNegative, TurinForcedToMilanNeverPasses) {
  auto turin = test::find_row([](const ManifestRow& r) { return r.oracle_pass() && r.product == "turin"; });
  if (!turin) GTEST_SKIP();
  auto args = verify_args(*turin);
  args.insert(args.end(), {"--product", "milan", "--json", path_of(turin->report)});
  auto r = run_cli(args);
  EXPECT_NE(r.exit_code, 0) << explain(r);
  EXPECT_EQ(r.exit_code, 1) << explain(r);
  json j = parse_json(r);
  EXPECT_EQ(j["verified"], false);
  bool product_failed = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "product" && c["ok"] == false) {
      product_failed = c["detail"].get<std::string>().find("mismatch") != std::string::npos;
    }
  }
  EXPECT_TRUE(product_failed) << explain(r);
}

TEST_F(CliNegative, UnknownVersionShownButNotVerified) {
  auto v0 = test::find_row([](const ManifestRow& r) { return r.version < 2; });
  if (!v0) GTEST_SKIP();
  auto show = run_cli({"show", path_of(v0->report)});
  EXPECT_EQ(show.exit_code, 0) << explain(show);
  EXPECT_NE(show.out.find("version"), std::string::npos) << explain(show);
  auto verify = run_cli({"verify", "--product", "milan", "--vcek", path_of(row_.signer),
                         path_of(v0->report)});
  EXPECT_EQ(verify.exit_code, 1) << explain(verify);
}

TEST_F(CliNegative, VlekOutsideValidityExitsThreeInsideZero) {
  auto vlek = test::find_row([](const ManifestRow& r) {
    return r.oracle_pass() && r.key == "VLEK" && r.at != "-";
  });
  if (!vlek) GTEST_SKIP();
  auto inside = verify_args(*vlek);
  inside.push_back(path_of(vlek->report));
  auto ok = run_cli(inside);
  EXPECT_EQ(ok.exit_code, 0) << explain(ok);
  std::vector<std::string> late = {"verify", "--vcek", path_of(vlek->signer), "--chain",
                                   path_of(vlek->chain), "--at", "2099-01-01T00:00:00Z",
                                   path_of(vlek->report)};
  auto expired = run_cli(late);
  EXPECT_EQ(expired.exit_code, 3) << explain(expired);
}

TEST_F(CliNegative, VlekReportWithVcekExitsOne) {
  auto vlek = test::find_row([](const ManifestRow& r) {
    return r.oracle_pass() && r.key == "VLEK" && r.product == "milan";
  });
  if (!vlek) GTEST_SKIP();
  auto r = run_cli({"verify", "--json", "--vcek", path_of(row_.signer), "--at", vlek->at,
                    path_of(vlek->report)});
  EXPECT_EQ(r.exit_code, 1) << explain(r);
}

TEST_F(CliNegative, HelpDocumentsExitCodes) {
  auto r = run_cli({"verify", "--help"});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << explain(r);
  for (const char* flag : {"--vcek", "--chain", "--crl", "--at", "--product", "--json"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(CliNegative, HexAndBase64InputsVerify) {
  // The same report as hex and as base64 text verifies like the binary.
  Bytes b = test::read_corpus(row_.report);
  std::string hex = own_hex(b, 0, b.size()) + "\n";
  auto hex_file = dir_.write("report.hex", hex);
  auto args = verify_args(row_);
  args.push_back(hex_file.string());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  auto show = run_cli({"show", "--json", hex_file.string()});
  ASSERT_EQ(show.exit_code, 0) << explain(show);
  json j = parse_json(show);
  EXPECT_EQ(j["measurement"], own_hex(b, 0x90, 48));
}

TEST_F(CliNegative, CrlUnreadableOrNotSignedByArkExitsThree) {
  auto garbage = dir_.write("crl.der", std::string("not a CRL"));
  auto args = verify_args(row_);
  args.insert(args.end(), {"--crl", garbage.string(), path_of(row_.report)});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 3) << explain(r);

  // A well-formed CRL naming the ARK but signed by another key.
  auto key = test::make_rsa_key(2048);
  auto now = std::chrono::system_clock::now();
  Bytes der = test::make_crl_der("ARK-Milan", key.get(), now - std::chrono::hours(24),
                                 now + std::chrono::hours(24), {});
  auto crl = dir_.write("foreign.crl", der);
  args = verify_args(row_);
  args.insert(args.end(), {"--json", "--crl", crl.string(), path_of(row_.report)});
  r = run_cli(args);
  EXPECT_EQ(r.exit_code, 3) << explain(r);
  json j = parse_json(r);
  bool crl_failed = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "chain.crl") crl_failed = c["ok"] == false;
  }
  EXPECT_TRUE(crl_failed) << explain(r);
}

TEST_F(CliNegative, ChainAsSeparateDerFiles) {
  const char* ask = "ms-confidential-sidecar/extracted/uvm_host_amd_certificate.json.certificateChain_pem0.SEV-Milan.der";
  const char* ark = "ms-confidential-sidecar/extracted/uvm_host_amd_certificate.json.certificateChain_pem1.ARK-Milan.der";
  auto row = test::find_row([](const ManifestRow& r) {
    return r.oracle_pass() && r.report == "ms-confidential-sidecar/snp_report.bin";
  });
  if (!row || !std::filesystem::exists(test::corpus_path(ask))) GTEST_SKIP();
  // The VCEK alone as DER (the manifest's signer file bundles the chain).
  const char* vcek = "ms-confidential-sidecar/extracted/uvm_host_amd_certificate.json.vcekCert_pem0.SEV-VCEK.der";
  auto r = run_cli({"verify", "--vcek", path_of(vcek), "--chain", path_of(ark), "--chain",
                    path_of(ask), path_of(row->report)});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

TEST_F(CliNegative, StdinInput) {
  // '-' reads stdin; run_program gives /dev/null, an empty input: malformed, exit 2.
  auto r = run_cli({"show", "-"});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
}

}  // namespace
}  // namespace veritee

namespace veritee {
namespace {

// Batch mode: several reports (FILE arguments and --files-from) give one JSON line each, in any
// order, and the exit code is the worst class among them (2, then 1, then 3).
TEST(CliBatch, OneJsonLinePerReportAndWorstExitCode) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const test::ManifestRow& r) {
    return r.oracle_pass() && r.key == "VCEK" && r.base_encoding() == "binary" &&
           r.container().empty() && r.at == "-";
  });
  if (!row) GTEST_SKIP() << "no raw VCEK-signed report";
  test::TempDir dir;
  const auto good = test::corpus_path(row->report).string();
  Bytes flipped = test::read_corpus(row->report);
  flipped[0x90] ^= 1;  // MEASUREMENT: inside the signed bytes
  const auto bad = dir.write("flipped.bin", flipped).string();
  const auto missing = (dir / "missing.bin").string();
  const auto list = dir.write("list.txt", good + "\n" + bad + "\n").string();

  auto r = test::run_cli({"verify", "--vcek", test::corpus_path(row->signer).string(), "--chain",
                          test::corpus_path(row->chain).string(), "--threads", "2",
                          "--files-from", list, good, missing});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::map<std::string, std::vector<int>> codes;
  std::istringstream lines(r.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    auto j = nlohmann::json::parse(line);
    codes[j.at("file").get<std::string>()].push_back(j.at("exit_code").get<int>());
    if (j.at("exit_code") == 1) {
      auto failed = j.at("failed");
      EXPECT_NE(std::find(failed.begin(), failed.end(), "report.signature"), failed.end()) << line;
    }
  }
  EXPECT_EQ(count, 4);
  EXPECT_EQ(codes[good], (std::vector<int>{0, 0}));
  EXPECT_EQ(codes[bad], (std::vector<int>{1}));
  EXPECT_EQ(codes[missing], (std::vector<int>{2}));

  // Without the unreadable file, the evidence failure decides.
  r = test::run_cli({"verify", "--vcek", test::corpus_path(row->signer).string(), "--files-from",
                     list});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

}  // namespace
}  // namespace veritee
