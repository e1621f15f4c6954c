// `veritee bundle QUOTE`: a quote's collateral fetched from a loopback PCS (FakePcs), checked
// and written in the cache layout; then `verify --offline --endorsements DIR` and
// `serve --offline --endorsements DIR` (POST /v1/attest with the quote alone) use it without
// any network. And --quiet / --json on the DCAP verify path behave as on the SNP path.
#include <gtest/gtest.h>
#include <filesystem>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "rats/serve_process.hpp"
#include "support/dcap_corpus.hpp"
#include "support/process.hpp"
#include "tdx/fake_pcs.hpp"
#include "veritee/common/bytes.hpp"

namespace veritee::tdx {
namespace {

using test::FakePcs;
using test::kTdxSampleAt;
using test::kTdxSampleCollateral;
using test::kTdxSampleQuote;
using test::run_cli;
using test::TempDir;


std::string path_of(const char* relative) { return test::dcap::corpus_path(relative).string(); }

// The bundle of the TDX sample, fetched from a loopback PCS at kTdxSampleAt.
void make_bundle(const TempDir& dir, FakePcs& pcs) {
  auto r = run_cli({"bundle", path_of(kTdxSampleQuote), "--out", (dir / "bundle").string(), "--at", kTdxSampleAt,
                    "--pcs-url", pcs.url(), "--cache-dir", (dir / "cache").string(), "--rate-limit", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dcap/tcb/tdx/b0c06f000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dcap/rootcacrl"), std::string::npos) << r.out;
  EXPECT_EQ(pcs.requests(), 4u);
}

TEST(DcapBundle, VerifyOfflineUsesIt) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  FakePcs pcs(load_collateral_file(path_of(kTdxSampleCollateral)).value());
  make_bundle(dir, pcs);
  auto r = run_cli({"verify", "--json", path_of(kTdxSampleQuote), "--offline", "--endorsements",
                    (dir / "bundle").string(), "--at", kTdxSampleAt});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["tcb_status"], "UpToDate");
  ASSERT_EQ(j["endorsements"].size(), 4u) << j["endorsements"].dump();
  for (const auto& e : j["endorsements"]) {
    EXPECT_TRUE(e["source"].get<std::string>().starts_with("bundle ")) << e.dump();
  }
  EXPECT_EQ(pcs.requests(), 4u) << "verify asked PCS";

  // Without the bundle, offline: nothing to verify with (exit 3).
  auto none = run_cli({"verify", path_of(kTdxSampleQuote), "--offline", "--cache-dir", (dir / "empty").string(),
                       "--at", kTdxSampleAt});
  EXPECT_EQ(none.exit_code, 3) << none.err;
}

TEST(DcapBundle, APcsFailureIsExit3AndNothingIsWritten) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  FakePcs pcs(load_collateral_file(path_of(kTdxSampleCollateral)).value());
  pcs.inject("/tdx/certification/v4/tcb", {.status = 404}, 5);
  auto r = run_cli({"bundle", path_of(kTdxSampleQuote), "--out", (dir / "bundle").string(), "--at", kTdxSampleAt,
                    "--pcs-url", pcs.url(), "--cache-dir", (dir / "cache").string(), "--rate-limit", "0"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("collateral for"), std::string::npos) << r.err;
  std::size_t files = 0;
  if (std::filesystem::exists(dir / "bundle")) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "bundle")) {
      if (e.is_regular_file()) ++files;
    }
  }
  EXPECT_EQ(files, 0u) << "a failed bundle wrote collateral";
}

TEST(DcapBundle, ServeOfflineAppraisesAQuoteWithoutCollateral) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  FakePcs pcs(load_collateral_file(path_of(kTdxSampleCollateral)).value());
  make_bundle(dir, pcs);
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  test::ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                            (dir / "state").string(), "--offline", "--endorsements", (dir / "bundle").string(),
                            "--cache-dir", (dir / "cache2").string(), "--at", kTdxSampleAt, "--threads", "2"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  httplib::Client client("127.0.0.1", serve.port());
  client.set_read_timeout(30, 0);
  const nlohmann::json body{{"quote", to_base64(test::dcap::read_corpus(kTdxSampleQuote))}};
  auto res = client.Post("/v1/attest", body.dump(), "application/json");
  ASSERT_TRUE(res) << serve.err();
  EXPECT_EQ(res->status, 200) << res->body << serve.err();
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  EXPECT_EQ(j["status"], "affirming") << res->body;
  // The EAR's payload (the signature is the rats tests' business): the TDX submod.
  const std::string token = j.value("ear", "");
  const auto first = token.find('.'), second = token.find('.', first + 1);
  ASSERT_NE(second, std::string::npos);
  auto payload = from_base64(token.substr(first + 1, second - first - 1));
  ASSERT_TRUE(payload);
  auto claims = nlohmann::json::parse(payload->begin(), payload->end(), nullptr, false);
  ASSERT_TRUE(claims.contains("submods") && claims["submods"].contains("TDX")) << claims.dump();
  EXPECT_EQ(claims["submods"]["TDX"]["veritee.report"]["tcb"]["status"], "UpToDate");
  EXPECT_EQ(pcs.requests(), 4u) << "serve --offline asked PCS";
  EXPECT_EQ(serve.terminate(), 0);
}

// --quiet: nothing on stdout, errors still on stderr, the same exit codes; --json failures:
// the error object verify prints for a report ({file, verified: false, exit_code, error}).
TEST(DcapVerifyOutput, QuietAndJsonAsForReports) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  auto ok = run_cli({"verify", "--quiet", path_of(kTdxSampleQuote), "--collateral", path_of(kTdxSampleCollateral), "--at", kTdxSampleAt});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "");
  EXPECT_EQ(ok.err, "");
  TempDir dir;
  auto policy = dir.write("p.toml", std::string("[tdx]\nmr_td = [\"" + std::string(96, '0') + "\"]\n"));
  auto refused = run_cli({"verify", "--quiet", path_of(kTdxSampleQuote), "--collateral", path_of(kTdxSampleCollateral),
                          "--at", kTdxSampleAt, "--policy", policy.string()});
  EXPECT_EQ(refused.exit_code, 5);
  EXPECT_EQ(refused.out, "");
  auto missing = run_cli({"verify", "--quiet", path_of(kTdxSampleQuote), "--collateral", (dir / "nope.json").string()});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(missing.out, "");
  EXPECT_NE(missing.err, "");
  auto json = run_cli({"verify", "--json", path_of(kTdxSampleQuote), "--collateral", (dir / "nope.json").string()});
  EXPECT_EQ(json.exit_code, 3);
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << json.out;
  EXPECT_EQ(j["file"], path_of(kTdxSampleQuote));
  EXPECT_EQ(j["verified"], false);
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_EQ(j["command"], "verify");
  EXPECT_TRUE(j["error"].is_string());
}

}  // namespace
}  // namespace veritee::tdx
