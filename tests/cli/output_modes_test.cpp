// --json, --quiet, `help CMD` and `--version` on every command (docs/json.md "Every command"):
// one table of offline invocations (corpus evidence, a scratch directory, devices and services
// that are not there), each run three ways. Under --json stdout is one JSON document with the
// documented keys and the exit code is the one the command gives without --json; failures are
// the shared error object. Under --quiet stdout is empty, and so is stderr when the command
// succeeds.
#include <cctype>
#include <sstream>

#include <openssl/crypto.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/process.hpp"

namespace veritee {
namespace {

using nlohmann::json;
using test::run_cli;

std::string explain(const test::CommandResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out.substr(0, 3000) +
         "\n--- stderr\n" + r.err.substr(0, 2000);
}

struct Case {
  std::string name;
  std::vector<std::string> args;  // without --json / --quiet
  int exit_code;
  std::vector<std::string> keys;  // of the --json document
};

const std::vector<std::string> kErrorKeys = {"command", "exit_code", "error"};

// The offline invocations: corpus evidence, files made in `dir`, nothing reachable.
std::vector<Case> cases(const test::TempDir& dir) {
  std::vector<Case> out;
  const std::string missing = (dir / "missing").string();
  const std::string empty_cache = (dir / "cache").string();
  auto row = test::find_row([](const test::ManifestRow& r) {
    return r.oracle_pass() && r.has_signer() && r.has_chain() && r.at != "-" && r.product != "-" && r.container().empty();
  });
  if (row) {
    const std::string report = test::corpus_path(row->report).string();
    const std::vector<std::string> endorsements = {
        "--vcek", test::corpus_path(row->signer).string(), "--chain",
        test::corpus_path(row->chain).string(), "--at", row->at, "--offline"};
    auto with = [&](std::vector<std::string> args) {
      args.insert(args.end(), endorsements.begin(), endorsements.end());
      return args;
    };
    const std::string policy = (dir / "golden.toml").string();
    out.push_back({"show", {"show", report}, 0, {"version", "measurement", "report_data", "raw"}});
    out.push_back({"verify", with({"verify", report}), 0,
                   {"verified", "exit_code", "checks", "policy", "endorsements", "report"}});
    out.push_back({"policy_from_report", with({"policy", "from-report", report, "--out", policy}), 0,
                   {"file", "product", "measurement", "out", "policy", "exit_code"}});
    out.push_back({"policy_check", {"policy", "check", policy}, 0, {"file", "valid", "id", "exit_code"}});
    out.push_back({"fetch_vcek_offline",
                   {"fetch", "vcek", report, "--product", row->product, "--offline", "--cache-dir",
                    empty_cache},
                   3, kErrorKeys});
    out.push_back({"bundle_offline",
                   {"bundle", report, "--product", row->product, "--out", (dir / "bundle").string(),
                    "--offline", "--cache-dir", empty_cache},
                   3, {"bundle", "entries", "reports", "exit_code"}});
    out.push_back({"attest_no_verifier",
                   {"attest", "--verifier", "http://127.0.0.1:1", "--evidence", report, "--timeout", "5"},
                   4, kErrorKeys});
  }
  out.push_back({"show_missing", {"show", missing}, 2, kErrorKeys});
  out.push_back({"verify_missing", {"verify", missing, "--offline"}, 2,
                 {"command", "exit_code", "error", "file", "verified"}});
  out.push_back({"doctor",
                 {"doctor", "--device", missing, "--tsm-root", missing, "--tcti", "device:" + missing},
                 4, {"any_provider", "findings", "exit_code"}});
  out.push_back({"report_no_device",
                 {"report", "--provider", "ioctl", "--device", missing, "--out", (dir / "r.bin").string()},
                 4, kErrorKeys});
  out.push_back({"certificates_missing", {"certificates", "--in", missing, "--out-dir", (dir / "c").string()},
                 2, kErrorKeys});
  out.push_back({"key_no_device", {"key", "--device", missing}, 4, kErrorKeys});
  out.push_back({"serve_bad_policy", {"serve", "--policy", missing, "--listen", "127.0.0.1:0"}, 2, kErrorKeys});
  out.push_back({"check_result_missing", {"check-result", missing, "--jwks", missing}, 2, kErrorKeys});
  out.push_back({"measure_missing", {"measure", "--ovmf", missing, "--vcpus", "1"}, 2, kErrorKeys});
  out.push_back({"usage_error", {"show", "--no-such-flag", missing}, 2, kErrorKeys});

  // id-block with a P-384 key made here; measure with the shared OVMF vector.
  const std::string key = (dir / "id.pem").string();
  auto made = test::run_program("openssl", {"genpkey", "-algorithm", "EC", "-pkeyopt",
                                            "ec_paramgen_curve:P-384", "-out", key});
  if (made.exit_code == 0) {
    out.push_back({"id_block",
                   {"id-block", "--id-key", key, "--measurement", std::string(96, 'a'), "--policy",
                    "0x30000", "--family-id", std::string(32, '1'), "--out-dir", (dir / "id").string()},
                   0,
                   {"id_block", "id_auth", "author_key_enabled", "id_key_digest", "author_key_digest",
                    "family_id", "image_id", "exit_code"}});
  }
  if (auto corpus = test::corpus_dir()) {
    const auto ovmf = *corpus / ".." / "corpus-measure" / "virtee-sev-snp-measure" / "ovmf_AmdSev_suffix.bin";
    if (std::filesystem::exists(ovmf)) {
      out.push_back({"measure",
                     {"measure", "--ovmf", ovmf.string(), "--vcpus", "1", "--vcpu-type", "EPYC-v4"},
                     0, {"measurement", "ovmf_hash", "inputs", "ovmf", "steps"}});
    }
  }
  return out;
}

std::vector<std::string> plus(std::vector<std::string> args, const std::string& flag) {
  args.push_back(flag);
  return args;
}

TEST(CliOutputModes, JsonHasTheDocumentedKeysAndTheSameExitCode) {
  VERITEE_REQUIRE_CORPUS();
  test::TempDir dir;
  const auto table = cases(dir);
  ASSERT_GE(table.size(), 15U);
  for (const Case& c : table) {
    SCOPED_TRACE(c.name);
    auto plain = run_cli(c.args);
    EXPECT_EQ(plain.exit_code, c.exit_code) << explain(plain);
    auto r = run_cli(plus(c.args, "--json"));
    EXPECT_EQ(r.exit_code, c.exit_code) << explain(r);
    json j;
    try {
      j = json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "stdout is not one JSON document (" << e.what() << ")\n" << explain(r);
      continue;
    }
    ASSERT_TRUE(j.is_object()) << explain(r);
    for (const std::string& key : c.keys) EXPECT_TRUE(j.contains(key)) << key << "\n" << explain(r);
    if (c.keys == kErrorKeys) {
      EXPECT_EQ(j["exit_code"], c.exit_code) << explain(r);
      EXPECT_FALSE(j["error"].get<std::string>().empty()) << explain(r);
      EXPECT_EQ(j["command"].get<std::string>().substr(0, c.args[0].size()), c.args[0]) << explain(r);
    }
    if (j.contains("exit_code")) {
      EXPECT_EQ(j["exit_code"], c.exit_code) << explain(r);
    }
  }
}

TEST(CliOutputModes, QuietPrintsNothingButErrors) {
  VERITEE_REQUIRE_CORPUS();
  test::TempDir dir;
  for (const Case& c : cases(dir)) {
    SCOPED_TRACE(c.name);
    if (c.name == "usage_error") continue;  // CLI11's usage message comes before --quiet is known
    auto r = run_cli(plus(c.args, "--quiet"));
    EXPECT_EQ(r.exit_code, c.exit_code) << explain(r);
    EXPECT_EQ(r.out, "") << explain(r);
    if (c.exit_code == 0) {
      EXPECT_EQ(r.err, "") << explain(r);
    }
  }
}

TEST(CliOutputModes, JsonAndQuietExcludeEachOther) {
  auto r = run_cli({"doctor", "--json", "--quiet"});
  EXPECT_EQ(r.exit_code, 2) << explain(r);
}

// The sub-commands `veritee --help` lists, with their own sub-commands ("fetch vcek").
std::vector<std::vector<std::string>> commands_of(const std::vector<std::string>& parent) {
  auto r = run_cli(plus(parent, "--help"));
  std::vector<std::vector<std::string>> out;
  bool inside = false;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == ':' && line[0] != ' ') {
      inside = line == "SUBCOMMANDS:" || line == "Subcommands:";
      continue;
    }
    if (inside && line.size() > 2 && line.rfind("  ", 0) == 0 && std::islower(static_cast<unsigned char>(line[2]))) {
      std::string name = line.substr(2, line.find(' ', 2) - 2);
      auto command = parent;
      command.push_back(name);
      out.push_back(command);
    }
  }
  return out;
}

TEST(CliOutputModes, HelpCommandIsCommandHelp) {
  auto top = commands_of({});
  ASSERT_GE(top.size(), 14U);
  std::vector<std::vector<std::string>> all = top;
  for (const auto& c : top) {
    auto subs = commands_of(c);
    all.insert(all.end(), subs.begin(), subs.end());
  }
  for (const auto& c : all) {
    std::string name;
    for (const auto& part : c) name += part + " ";
    SCOPED_TRACE(name);
    std::vector<std::string> args{"help"};
    args.insert(args.end(), c.begin(), c.end());
    auto help = run_cli(args);
    auto direct = run_cli(plus(c, "--help"));
    EXPECT_EQ(help.exit_code, 0) << explain(help);
    EXPECT_EQ(direct.exit_code, 0) << explain(direct);
    EXPECT_EQ(help.out, direct.out);
  }
  auto top_help = run_cli({"help"});
  EXPECT_EQ(top_help.out, run_cli({"--help"}).out);
  auto unknown = run_cli({"help", "no-such-command"});
  EXPECT_EQ(unknown.exit_code, 2) << explain(unknown);
}

TEST(CliOutputModes, VersionNamesTheRuntimeLibrariesAndTheBuild) {
  auto r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0) << explain(r);
  EXPECT_EQ(r.out.rfind("veritee ", 0), 0U) << explain(r);
  EXPECT_NE(r.out.find(OpenSSL_version(OPENSSL_VERSION)), std::string::npos) << explain(r);
  for (const char* word : {"nettle", "libcurl", "P-384", "sanitizers"}) {
    EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << explain(r);
  }
  auto j = run_cli({"--version", "--json"});
  EXPECT_EQ(j.exit_code, 0) << explain(j);
  auto doc = json::parse(j.out);
  EXPECT_EQ(doc["openssl"]["runtime"], OpenSSL_version(OPENSSL_VERSION));
  for (const char* key : {"version", "nettle", "libcurl"}) EXPECT_TRUE(doc[key].is_string()) << key;
  EXPECT_TRUE(doc["build"]["type"].is_string());
  EXPECT_TRUE(doc["build"]["p384_backend"].is_string());
  EXPECT_TRUE(doc["build"]["sanitizers"].is_boolean());
}

}  // namespace
}  // namespace veritee
