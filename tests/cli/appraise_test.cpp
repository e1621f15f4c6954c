// `veritee verify` appraising (issue 12): --policy and the per-field options on corpus bytes,
// exit 5 for authentic evidence that fails the policy with the failing check's id, `policy
// from-report` then `verify --policy` passing on every report that verifies, and `policy check`.
// Expected values are read from the report bytes here (ABI 1.58 Table 22 offsets), not from
// veritee's own decoding.
#include <cstdio>
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/process.hpp"

namespace veritee {
namespace {

using nlohmann::json;
using test::ManifestRow;
using test::run_cli;
using test::TempDir;

std::string path_of(const std::string& rel) { return test::corpus_path(rel).string(); }

std::string explain(const test::CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out.substr(0, 6000) +
         "\n--- stderr\n" + r.err.substr(0, 2000);
}

std::string hex_of(const Bytes& b, std::size_t off, std::size_t n) {
  return to_hex(ByteView(b).subspan(off, n));
}

// The same hex with its first digit changed: one field value the report does not have.
std::string other(std::string hex) {
  hex[0] = hex[0] == '0' ? '1' : '0';
  return hex;
}

// The endorsement options for a manifest row (signer, chain, at).
std::vector<std::string> endorsement_args(const ManifestRow& row) {
  std::vector<std::string> args;
  if (row.has_signer()) args.insert(args.end(), {"--vcek", path_of(row.signer)});
  if (row.has_chain()) args.insert(args.end(), {"--chain", path_of(row.chain)});
  if (row.at != "-") args.insert(args.end(), {"--at", row.at});
  return args;
}

test::CommandResult verify(const ManifestRow& row, const std::vector<std::string>& extra,
                           const std::string& file = "") {
  std::vector<std::string> args = {"verify", "--json"};
  auto e = endorsement_args(row);
  args.insert(args.end(), e.begin(), e.end());
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(file.empty() ? path_of(row.report) : file);
  return run_cli(args);
}

json parse(const test::CommandResult& r) {
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON (" << e.what() << ")\n" << explain(r);
    return json::object();
  }
}

// The failed checks of verify --json.
std::vector<std::string> failed_ids(const json& j) {
  std::vector<std::string> out;
  if (!j.contains("checks")) return out;
  for (const auto& c : j["checks"]) {
    if (c["ok"] == false) out.push_back(c["id"]);
  }
  return out;
}

std::string tcb_spls(const Bytes& b, std::size_t at, const std::string& product, int snp_delta = 0) {
  // DESIGN.md 3.2: Milan/Genoa bl=0 tee=1 snp=6 ucode=7; Turin fmc=0 bl=1 tee=2 snp=3 ucode=7.
  const bool turin = product == "turin";
  auto byte = [&](std::size_t i) { return std::to_string(b[at + i]); };
  std::string out = "bl=" + byte(turin ? 1 : 0) + ",tee=" + byte(turin ? 2 : 1) +
                    ",snp=" + std::to_string(b[at + (turin ? 3 : 6)] + snp_delta) + ",ucode=" + byte(7);
  if (turin) out += ",fmc=" + byte(0);
  return out;
}

std::string raw_tcb(const Bytes& b, std::size_t at) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(test::le64(b, at)));
  return buf;
}

// ---- Every corpus report that verifies: from-report, then verify --policy, passes.

class PolicyFromReport : public testing::TestWithParam<ManifestRow> {};

TEST_P(PolicyFromReport, VerifyWithTheWrittenPolicyExitsZero) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  TempDir dir;
  const std::string policy = (dir / "golden.toml").string();
  std::vector<std::string> args = {"policy", "from-report", "--out", policy};
  auto e = endorsement_args(row);
  args.insert(args.end(), e.begin(), e.end());
  args.push_back(path_of(row.report));
  auto w = run_cli(args);
  ASSERT_EQ(w.exit_code, 0) << explain(w);
  auto check = run_cli({"policy", "check", policy});
  EXPECT_EQ(check.exit_code, 0) << explain(check);
  auto r = verify(row, {"--policy", policy});
  ASSERT_EQ(r.exit_code, 0) << explain(r);
  json j = parse(r);
  EXPECT_EQ(j["policy"]["passed"], true) << j["policy"].dump();
  bool measured = false;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "policy.measurement") measured = c["ok"] == true && c["stage"] == "appraisal";
  }
  EXPECT_TRUE(measured) << explain(r);
}

TEST_P(PolicyFromReport, FlippedSignedBitStillExitsOne) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  TempDir dir;
  Bytes input = test::decoded_input(row);
  const Bytes report = test::report_bytes_of(row);
  input[row.report_offset() + 0x90] ^= 0x01;  // MEASUREMENT
  auto file = dir.write("flipped.bin", input);
  // The policy pins the flipped measurement: only the signature can tell.
  Bytes flipped = report;
  flipped[0x90] ^= 0x01;
  auto r = verify(row, {"--measurement", hex_of(flipped, 0x90, 48)}, file.string());
  EXPECT_EQ(r.exit_code, 1) << explain(r);
  json j = parse(r);
  EXPECT_EQ(j["policy"]["appraised"], false) << j.dump();
}

INSTANTIATE_TEST_SUITE_P(Manifest, PolicyFromReport,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.oracle_pass(); })),
                         test::ManifestRowName{});

// ---- Per-field options on one Milan v3 report and the Turin v5 one.

struct FieldCase {
  std::string name;
  std::function<std::vector<std::string>(const Bytes&, const ManifestRow&)> pass, fail;
  std::string check_id;
};

std::vector<FieldCase> field_cases() {
  auto hex_flag = [](const char* flag, std::size_t off, std::size_t n, const char* id) {
    return FieldCase{
        flag,
        [=](const Bytes& b, const ManifestRow&) { return std::vector<std::string>{flag, hex_of(b, off, n)}; },
        [=](const Bytes& b, const ManifestRow&) { return std::vector<std::string>{flag, other(hex_of(b, off, n))}; },
        id};
  };
  auto u32_flag = [](const char* flag, std::size_t off, const char* id, std::uint32_t delta, std::uint32_t mod) {
    return FieldCase{
        flag,
        [=](const Bytes& b, const ManifestRow&) {
          return std::vector<std::string>{flag, std::to_string(test::le32(b, off))};
        },
        [=](const Bytes& b, const ManifestRow&) {
          return std::vector<std::string>{flag, std::to_string((test::le32(b, off) + delta) % mod)};
        },
        id};
  };
  std::vector<FieldCase> cases = {
      hex_flag("--measurement", 0x90, 48, "policy.measurement"),
      hex_flag("--report-data", 0x50, 64, "policy.report_data"),
      hex_flag("--host-data", 0xC0, 32, "policy.host_data"),
      hex_flag("--family-id", 0x10, 16, "policy.family_id"),
      hex_flag("--image-id", 0x20, 16, "policy.image_id"),
      hex_flag("--id-key-digest", 0xE0, 48, "policy.id_key_digest"),
      hex_flag("--chip-id", 0x1A0, 64, "policy.chip_id"),
      hex_flag("--report-id", 0x140, 32, "policy.report_id"),
      u32_flag("--vmpl", 0x30, "policy.vmpl", 1, 4),
      u32_flag("--min-guest-svn", 0x04, "policy.guest_svn", 1, 0xFFFFFFFF),
  };
  cases.push_back({"--min-tcb",
                   [](const Bytes& b, const ManifestRow& row) {
                     return std::vector<std::string>{"--min-tcb", tcb_spls(b, 0x180, row.product)};
                   },
                   [](const Bytes& b, const ManifestRow& row) {
                     return std::vector<std::string>{"--min-tcb", tcb_spls(b, 0x180, row.product, 1)};
                   },
                   "policy.min_tcb"});
  cases.push_back({"--min-tcb raw",
                   [](const Bytes& b, const ManifestRow&) {
                     return std::vector<std::string>{"--min-tcb", "0x" + raw_tcb(b, 0x180)};
                   },
                   [](const Bytes& b, const ManifestRow& row) {
                     Bytes c = b;
                     c[0x180 + (row.product == "turin" ? 3 : 6)] += 1;
                     return std::vector<std::string>{"--min-tcb", raw_tcb(c, 0x180)};
                   },
                   "policy.min_tcb"});
  cases.push_back({"--min-launch-tcb",
                   [](const Bytes& b, const ManifestRow& row) {
                     return std::vector<std::string>{"--min-launch-tcb", tcb_spls(b, 0x1F0, row.product)};
                   },
                   [](const Bytes& b, const ManifestRow& row) {
                     return std::vector<std::string>{"--min-launch-tcb", tcb_spls(b, 0x1F0, row.product, 1)};
                   },
                   "policy.min_launch_tcb"});
  cases.push_back({"--min-build",
                   [](const Bytes& b, const ManifestRow&) {
                     return std::vector<std::string>{"--min-build", std::to_string(b[0x1E8])};
                   },
                   [](const Bytes& b, const ManifestRow&) {
                     return std::vector<std::string>{"--min-build", std::to_string(b[0x1E8] + 1)};
                   },
                   "policy.build"});
  cases.push_back({"--min-version",
                   [](const Bytes& b, const ManifestRow&) {
                     return std::vector<std::string>{"--min-version", std::to_string(b[0x1EA]) + "." + std::to_string(b[0x1E9])};
                   },
                   [](const Bytes& b, const ManifestRow&) {
                     return std::vector<std::string>{"--min-version", std::to_string(b[0x1EA]) + "." + std::to_string(b[0x1E9] + 1)};
                   },
                   "policy.version"});
  cases.push_back({"--require-policy-bit",
                   [](const Bytes&, const ManifestRow&) {  // POLICY bit 16, set in every corpus report
                     return std::vector<std::string>{"--require-policy-bit", "smt"};
                   },
                   [](const Bytes&, const ManifestRow&) {  // bit 20, clear in every corpus report
                     return std::vector<std::string>{"--require-policy-bit", "single_socket"};
                   },
                   "policy.policy_bits"});
  return cases;
}

class PerField : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    auto row = test::find_row([&](const ManifestRow& r) {
      return r.oracle_pass() && r.key == "VCEK" && r.container().empty() &&
             r.report.find("ms-tee-attestation-verification/" + GetParam()) != std::string::npos;
    });
    if (!row) GTEST_SKIP() << "no " << GetParam() << " report in the corpus";
    row_ = *row;
    bytes_ = test::report_bytes_of(row_);
  }
  ManifestRow row_;
  Bytes bytes_;
};

TEST_P(PerField, EachOptionPassesOnItsValueAndFailsWithExitFive) {
  for (const FieldCase& c : field_cases()) {
    SCOPED_TRACE(c.name);
    auto pass = verify(row_, c.pass(bytes_, row_));
    EXPECT_EQ(pass.exit_code, 0) << explain(pass);
    auto failing = verify(row_, c.fail(bytes_, row_));
    EXPECT_EQ(failing.exit_code, 5) << explain(failing);
    json j = parse(failing);
    EXPECT_EQ(failed_ids(j), std::vector<std::string>{c.check_id}) << explain(failing);
    EXPECT_EQ(j["exit_code"], 5);
    EXPECT_EQ(j["verified"], true);
  }
}

TEST_P(PerField, HexIsCaseInsensitiveWithOrWithout0x) {
  std::string upper = hex_of(bytes_, 0x90, 48);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto r = verify(row_, {"--measurement", "0x" + upper, "--host-data", "0X" + hex_of(bytes_, 0xC0, 32)});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

TEST_P(PerField, MeasurementIsAnAllowedList) {
  auto r = verify(row_, {"--measurement", other(hex_of(bytes_, 0x90, 48)), "--measurement",
                         hex_of(bytes_, 0x90, 48)});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

TEST_P(PerField, WrongLengthIsAUsageErrorNamingFieldAndLength) {
  auto r = verify(row_, {"--measurement", hex_of(bytes_, 0x90, 47)});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
  EXPECT_NE(r.err.find("--measurement"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MEASUREMENT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("48 bytes"), std::string::npos) << r.err;
  json j = parse(r);
  EXPECT_EQ(j["exit_code"], 2);
  EXPECT_TRUE(j["error"].is_string()) << j.dump();
}

TEST_P(PerField, AuthorKeyDigestFailsWithoutAnAuthorKey) {
  // No corpus report has KEY_INFO.AUTHOR_KEY_EN set: the failing case only.
  ASSERT_EQ(bytes_[0x48] & 1, 0);
  auto r = verify(row_, {"--author-key-digest", hex_of(bytes_, 0x110, 48)});
  EXPECT_EQ(r.exit_code, 5) << explain(r);
  EXPECT_EQ(failed_ids(parse(r)), std::vector<std::string>{"policy.author_key_digest"});
}

TEST_P(PerField, QuietPrintsNothing) {
  std::vector<std::string> args = {"verify", "--quiet"};
  auto e = endorsement_args(row_);
  args.insert(args.end(), e.begin(), e.end());
  args.insert(args.end(), {"--measurement", other(hex_of(bytes_, 0x90, 48)), path_of(row_.report)});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 5) << explain(r);
  EXPECT_EQ(r.out, "");
}

TEST_P(PerField, TextTraceListsAppraisalAfterAuthenticity) {
  std::vector<std::string> args = {"verify"};
  auto e = endorsement_args(row_);
  args.insert(args.end(), e.begin(), e.end());
  const std::string wrong = other(hex_of(bytes_, 0x90, 48));
  args.insert(args.end(), {"--measurement", wrong, path_of(row_.report)});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 5) << explain(r);
  const auto sig = r.out.find("report.signature");
  const auto meas = r.out.find("FAIL  policy.measurement");
  ASSERT_NE(meas, std::string::npos) << explain(r);
  EXPECT_LT(sig, meas);
  // Both values in the sentence.
  const std::string line = r.out.substr(meas, r.out.find('\n', meas) - meas);
  EXPECT_NE(line.find(hex_of(bytes_, 0x90, 48)), std::string::npos) << line;
  EXPECT_NE(line.find(wrong), std::string::npos) << line;
}

INSTANTIATE_TEST_SUITE_P(Corpus, PerField, testing::Values("milan_attestation", "turin_attestation"));

// ---- DEBUG: go-sev-guest's attestation.bin is a debuggable guest.

TEST(AllowDebug, PassesADebugGuestOnlyWhenGiven) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const ManifestRow& r) { return r.report == "go-sev-guest/attestation.bin"; });
  if (!row || !row->oracle_pass()) GTEST_SKIP() << "go-sev-guest/attestation.bin absent";
  const Bytes b = test::report_bytes_of(*row);
  ASSERT_EQ((test::le64(b, 0x08) >> 19) & 1, 1U) << "POLICY.DEBUG is set in this report";
  const std::string m = hex_of(b, 0x90, 48);
  auto refused = verify(*row, {"--measurement", m});
  EXPECT_EQ(refused.exit_code, 5) << explain(refused);
  EXPECT_EQ(failed_ids(parse(refused)), std::vector<std::string>{"policy.debug"});
  auto allowed = verify(*row, {"--measurement", m, "--allow-debug"});
  EXPECT_EQ(allowed.exit_code, 0) << explain(allowed);
  EXPECT_EQ(parse(allowed)["policy"]["warnings"], json::array({"policy.debug"}));
}

// ---- A golden policy against another report; policy files.

TEST(PolicyFile, AnotherMeasurementFailsWithExitFive) {
  VERITEE_REQUIRE_CORPUS();
  auto milan = test::find_row([](const ManifestRow& r) {
    return r.report == "ms-tee-attestation-verification/milan_attestation_report.bin";
  });
  auto turin = test::find_row([](const ManifestRow& r) {
    return r.report == "ms-tee-attestation-verification/turin_attestation_report.bin";
  });
  if (!milan || !turin) GTEST_SKIP() << "ms-tee-attestation-verification reports absent";
  TempDir dir;
  const std::string policy = (dir / "milan.toml").string();
  std::vector<std::string> args = {"policy", "from-report", "--out", policy};
  auto e = endorsement_args(*milan);
  args.insert(args.end(), e.begin(), e.end());
  args.push_back(path_of(milan->report));
  ASSERT_EQ(run_cli(args).exit_code, 0);
  auto r = verify(*turin, {"--policy", policy});
  EXPECT_EQ(r.exit_code, 5) << explain(r);
  auto failed = failed_ids(parse(r));
  EXPECT_NE(std::find(failed.begin(), failed.end(), "policy.measurement"), failed.end()) << explain(r);
  EXPECT_NE(std::find(failed.begin(), failed.end(), "policy.product"), failed.end()) << explain(r);
}

TEST(PolicyFile, FromReportRefusesAReportThatDoesNotVerify) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const ManifestRow& r) {
    return r.report == "ms-tee-attestation-verification/milan_attestation_report.bin";
  });
  if (!row) GTEST_SKIP() << "milan_attestation_report.bin absent";
  TempDir dir;
  Bytes b = test::report_bytes_of(*row);
  b[0x90] ^= 1;
  auto file = dir.write("flipped.bin", b);
  std::vector<std::string> args = {"policy", "from-report", "--out", (dir / "p.toml").string()};
  auto e = endorsement_args(*row);
  args.insert(args.end(), e.begin(), e.end());
  args.push_back(file.string());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << explain(r);
  EXPECT_FALSE(std::filesystem::exists(dir / "p.toml"));
}

TEST(PolicyFile, CheckNamesTheLine) {
  TempDir dir;
  auto bad = dir.write("bad.toml", std::string("allow_debug = false\nmeasurements = [\"") +
                                       std::string(94, 'a') + "\"]\n");
  auto r = run_cli({"policy", "check", bad.string()});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
  EXPECT_NE(r.err.find("bad.toml:2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("47"), std::string::npos) << r.err;
  auto unknown = dir.write("unknown.toml", std::string("allow_debg = true\n"));
  r = run_cli({"policy", "check", unknown.string()});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
  EXPECT_NE(r.err.find("unknown.toml:1: unknown key 'allow_debg'"), std::string::npos) << r.err;
  auto good = dir.write("good.toml", std::string("require_nonce = false\nvmpl = [0, 1]\n"));
  r = run_cli({"policy", "check", good.string()});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
}

TEST(PolicyFile, ExampleAffirmsTheBundledSample) {
  const std::string root = VERITEE_SOURCE_DIR;
  auto r = run_cli({"verify", "--vcek", root + "/samples/turin-v5/vcek.pem", "--policy",
                    root + "/examples/policy.toml", root + "/samples/turin-v5/report.bin"});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  // require_nonce is the service's: a note, not an error.
  EXPECT_NE(r.err.find("require_nonce"), std::string::npos) << r.err;
}

TEST(PolicyFile, BatchExitsWithTheFirstOfTwoOneThreeFive) {
  VERITEE_REQUIRE_CORPUS();
  const std::string root = VERITEE_SOURCE_DIR;
  const std::string sample = root + "/samples/turin-v5/report.bin";
  TempDir dir;
  Bytes b = test::slurp(sample);
  const std::string wrong = other(hex_of(b, 0x90, 48));
  auto r = run_cli({"verify", "--vcek", root + "/samples/turin-v5/vcek.pem", "--measurement", wrong,
                    sample, sample});
  EXPECT_EQ(r.exit_code, 5) << explain(r);
  std::size_t lines = 0;
  for (std::size_t pos = 0; (pos = r.out.find('\n', pos)) != std::string::npos; ++pos) ++lines;
  EXPECT_EQ(lines, 2U);
  json first = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first["exit_code"], 5);
  EXPECT_EQ(first["failed"], json::array({"policy.measurement"}));
  b[0x90] ^= 1;
  auto flipped = dir.write("flipped.bin", b);
  r = run_cli({"verify", "--vcek", root + "/samples/turin-v5/vcek.pem", "--measurement", wrong,
               sample, flipped.string()});
  EXPECT_EQ(r.exit_code, 1) << explain(r);
}

}  // namespace
}  // namespace veritee
