// The report inspector (include/veritee/rats/inspect.hpp): POST /v1/inspect answers with what
// `show --json` and the verifier give for the same evidence, refuses what it cannot read with
// the CLI's wording (400) and oversized bodies (413), logs no submitted byte, and serves its
// page with the Content-Security-Policy; `inspect_only` serves nothing else.
#include <gtest/gtest.h>

#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "rats/rats_fixture.hpp"
#include "veritee/rats/inspect.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/result_json.hpp"

namespace veritee::test {
namespace {

std::optional<ManifestRow> turin_row() {
  return find_row([](const ManifestRow& r) { return r.product == "turin" && r.has_signer() && r.oracle_pass(); });
}

std::string text_of(const Bytes& b) { return std::string(b.begin(), b.end()); }


nlohmann::json inspect_json(const rats::InspectConfig& config, const nlohmann::json& body, int want_status) {
  const rats::InspectReply r = rats::inspect(body.dump(), config);
  EXPECT_EQ(r.status, want_status) << r.body;
  return nlohmann::json::parse(r.body);
}

rats::InspectConfig offline_config() {
  rats::InspectConfig c;
  c.endorsements = [](const snp::Report& report, const endorse::ResolveRequest& req) {
    return endorse::EndorsementResolver(snp::TrustStore::amd(), nullptr, nullptr, nullptr).resolve(report, req);
  };
  c.exit_code_of = [](Verdict v, bool fails_policy) { return v == Verdict::kVerified ? (fails_policy ? 5 : 0) : 1; };
  return c;
}

TEST(Inspect, DecodesVerifiesAndWritesAPolicyLikeTheCli) {
  VERITEE_REQUIRE_CORPUS();
  auto row = turin_row();
  if (!row) GTEST_SKIP() << "no Turin row with a signer in the corpus";
  const Bytes file = read_corpus(row->report);
  const Bytes vcek = read_corpus(row->signer);
  auto a = inspect_json(offline_config(), {{"evidence", inspector_text(file)}, {"vcek", inspector_text(vcek)}}, 200);
  ASSERT_EQ(a["kind"], "snp");
  // "show": show_to_json of the same bytes (the encoding is how the text came: base64).
  auto ev = snp::load_evidence(as_bytes(inspector_text(file)));
  ASSERT_TRUE(ev.has_value());
  auto report = ev->report().value();
  EXPECT_EQ(a["show"], snp::show_to_json(*ev, snp::decide_product(report, std::nullopt, std::nullopt)));
  EXPECT_EQ(a["show"]["measurement"], to_hex(report.measurement()));
  // "verify": the verifier's checks with the corpus endorsements, in order.
  const auto direct = Verifier().verify(report, endorsements_of(*row), {row_time(*row), std::nullopt, false});
  const auto& checks = a["verify"]["checks"];
  ASSERT_EQ(checks.size(), direct.checks.checks.size()) << a["verify"].dump(2);
  for (std::size_t i = 0; i < checks.size(); ++i) {
    EXPECT_EQ(checks[i]["id"], direct.checks.checks[i].id);
    EXPECT_EQ(checks[i]["status"], std::string(to_string(direct.checks.checks[i].status))) << checks[i].dump();
    EXPECT_EQ(checks[i]["stage"], "authenticity");
  }
  EXPECT_EQ(a["verify"]["verified"], true) << a["verify"].dump(2);
  EXPECT_EQ(a["verify"]["exit_code"], 0);
  // The certificate's TCB beside REPORTED_TCB: a verified report's VCEK was issued for it.
  for (const char* part : {"fmc", "boot_loader", "tee", "snp", "microcode"}) {
    EXPECT_EQ(a["certificate"]["tcb"][part], a["show"]["reported_tcb"][part]) << part;
  }
  // The policy `policy from-report` writes, read back by the policy loader.
  ASSERT_TRUE(a["policy"]["toml"].is_string());
  const std::string toml = a["policy"]["toml"];
  EXPECT_EQ(toml, rats::policy_from_report(report, snp::Product::kTurin, "submitted to the inspector"));
  EXPECT_TRUE(rats::parse_policy(toml, "inspected").has_value());
  // Where endorsements came from is said by kind only: no server path or URL.
  for (const auto& e : a["verify"]["endorsements"]) {
    EXPECT_EQ(e["source"].get<std::string>().find('/'), std::string::npos) << e.dump();
  }
}

TEST(Inspect, AppraisesAgainstTheServersPolicyOnlyWhenAsked) {
  VERITEE_REQUIRE_CORPUS();
  auto row = turin_row();
  if (!row) GTEST_SKIP() << "no Turin row with a signer in the corpus";
  auto config = offline_config();
  const auto policy = policy_from("require_nonce = false\nmeasurements = [\"" + std::string(96, '0') + "\"]\n");
  config.policy = &policy;
  const nlohmann::json body{{"evidence", inspector_text(read_corpus(row->report))},
                            {"vcek", inspector_text(read_corpus(row->signer))}};
  auto plain = inspect_json(config, body, 200);
  EXPECT_TRUE(plain["verify"]["policy"].is_null());
  auto asked = body;
  asked["appraise"] = true;
  auto a = inspect_json(config, asked, 200);
  EXPECT_EQ(a["verify"]["policy"]["appraised"], true) << a["verify"].dump(2);
  EXPECT_EQ(a["verify"]["policy"]["passed"], false);
  EXPECT_EQ(a["verify"]["exit_code"], 5);
  bool appraisal_failed = false;
  for (const auto& c : a["verify"]["checks"]) appraisal_failed |= c["stage"] == "appraisal" && c["status"] == "fail";
  EXPECT_TRUE(appraisal_failed);
  EXPECT_EQ(rats::inspect(R"({"evidence": "x", "appraise": "yes"})", config).status, 400);
}

TEST(Inspect, WithoutEndorsementsItStillDecodesAndSaysWhatIsMissing) {
  VERITEE_REQUIRE_CORPUS();
  auto row = turin_row();
  if (!row) GTEST_SKIP() << "no Turin row with a signer in the corpus";
  auto a = inspect_json(offline_config(), {{"evidence", inspector_text(read_corpus(row->report))}}, 200);
  EXPECT_EQ(a["verify"]["verified"], false);
  EXPECT_NE(a["verify"]["error"].get<std::string>().find("no VCEK or VLEK"), std::string::npos) << a.dump(2);
  EXPECT_EQ(a["verify"]["exit_code"], 1);  // the config's mapping of kEndorsementProblem
  EXPECT_TRUE(a["policy"]["toml"].is_null());
  EXPECT_NE(a["policy"]["note"].get<std::string>().find("authentic"), std::string::npos);
  EXPECT_TRUE(a["show"]["measurement"].is_string());
}

// A DCAP quote: decoded as `show` decodes it, verified against the collateral when given.
TEST(Inspect, DcapQuotesAreShownAndVerifiedAgainstTheirCollateral) {
  std::filesystem::path dir;
  if (const char* env = std::getenv("VERITEE_CORPUS_DCAP"); env && *env) dir = env;
  else if (auto snp_dir = corpus_dir()) dir = *snp_dir / ".." / "corpus-dcap";
  if (dir.empty() || !std::filesystem::exists(dir / "dcap-qvl/sample/sgx_quote")) {
    GTEST_SKIP() << "DCAP corpus not found (looked in " << dir << "); set VERITEE_CORPUS_DCAP";
  }
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const Bytes quote = read(dir / "dcap-qvl/sample/sgx_quote");
  const std::string collateral = text_of(read(dir / "dcap-qvl/sample/sgx_quote_collateral.json"));
  auto config = offline_config();
  const auto at = veritee::parse_time("2025-07-04T10:00:00Z").value();
  config.verification_clock = [at] { return at; };
  auto shown = inspect_json(config, {{"evidence", inspector_text(quote)}}, 200);
  EXPECT_EQ(shown["kind"], "dcap");
  auto in = tdx::load_quote(as_bytes(inspector_text(quote)));
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(shown["show"], tdx::quote_input_to_json(*in));
  EXPECT_EQ(shown["verify"]["verified"], false);
  EXPECT_NE(shown["verify"]["error"].get<std::string>().find("collateral"), std::string::npos);
  auto verified = inspect_json(config, {{"evidence", inspector_text(quote)}, {"collateral", collateral}}, 200);
  EXPECT_EQ(verified["verify"]["tcb_status"], "ConfigurationAndSWHardeningNeeded") << verified["verify"].dump(2);
  EXPECT_TRUE(verified["policy"]["toml"].is_null());
}

TEST(Inspect, RefusesWhatItCannotReadInTheCliWords) {
  const auto config = offline_config();
  auto garbage = inspect_json(config, {{"evidence", "not a report"}}, 400);
  auto direct = snp::load_evidence(as_bytes(std::string("not a report")));
  ASSERT_FALSE(direct.has_value());
  EXPECT_EQ(garbage["error"], direct.error().message);
  EXPECT_EQ(inspect_json(config, {{"evidence", 5}}, 400)["error"], "\"evidence\" must be a string");
  EXPECT_EQ(inspect_json(config, {{"report", "x"}}, 400)["error"],
            "unknown member \"report\" (evidence, vcek, collateral, product, appraise)");
  EXPECT_EQ(inspect_json(config, nlohmann::json::object(), 400)["error"],
            "no evidence: give \"evidence\" (text or base64)");
  EXPECT_EQ(rats::inspect("{", config).status, 400);
  EXPECT_EQ(rats::inspect(std::string(100, '[') + std::string(100, ']'), config).status, 400);
  EXPECT_EQ(inspect_json(config, {{"evidence", "AAAA"}, {"product", "rome"}}, 400)["error"].get<std::string>().substr(0, 11),
            "\"product\": ");
}

TEST(Inspect, ServesThePageWithItsContentSecurityPolicy) {
  TestServer server;
  httplib::Client client("127.0.0.1", server.port());
  for (const char* path : {"/", "/inspector.js", "/inspector.css"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), std::string(rats::kInspectorCsp)) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->body, std::string(rats::inspector_asset(path)->body));
  }
  auto page = client.Get("/");
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  // No inline code (the CSP would refuse it) and nothing from another origin.
  EXPECT_EQ(page->body.find("<script>"), std::string::npos);
  EXPECT_EQ(page->body.find("style="), std::string::npos);
  EXPECT_EQ(page->body.find("http"), std::string::npos);
  EXPECT_EQ(client.Get("/v1/inspect")->status, 405);
}

TEST(Inspect, OverHttpBodiesAreBoundedAndNeverLogged) {
  VERITEE_REQUIRE_CORPUS();
  auto row = turin_row();
  if (!row) GTEST_SKIP() << "no Turin row with a signer in the corpus";
  TestServer server;
  const Bytes file = read_corpus(row->report);
  const std::string evidence = inspector_text(file);
  const std::string vcek = inspector_text(read_corpus(row->signer));
  auto ok = server.post("/v1/inspect", nlohmann::json{{"evidence", evidence}, {"vcek", vcek}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string measurement = ok.json()["show"]["measurement"];
  auto bad = server.post("/v1/inspect", R"({"evidence": "secret-garbage-0123456789abcdef"})");
  EXPECT_EQ(bad.status, 400);
  auto big = server.post("/v1/inspect", nlohmann::json{{"evidence", std::string(70 * 1024, 'A')}}.dump());
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_NE(big.json()["error"].get<std::string>().find("larger than 65536 bytes"), std::string::npos);
  // A request's log line is written when its connection completes, which may come just after
  // the client has its answer: wait for the three (up to 5 s).
  auto logs = server.logs();
  for (int i = 0; i < 500 && logs.size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    logs = server.logs();
  }
  ASSERT_GE(logs.size(), 3u);
  for (const auto& line : logs) {
    EXPECT_EQ(line.find(measurement), std::string::npos) << line;
    EXPECT_EQ(line.find(evidence.substr(0, 32)), std::string::npos) << line;
    EXPECT_EQ(line.find(vcek.substr(40, 32)), std::string::npos) << line;
    EXPECT_EQ(line.find("secret-garbage"), std::string::npos) << line;
    EXPECT_EQ(line.find("AAAAAAAA"), std::string::npos) << line;
  }
  EXPECT_NE(logs.front().find("\"path\":\"/v1/inspect\""), std::string::npos) << logs.front();
}

TEST(Inspect, InspectOnlyServesThePageAndNothingElse) {
  rats::ServiceConfig config;
  config.inspect_only = true;
  std::vector<std::string> logs;
  std::mutex m;
  config.log = [&](std::string_view line) {
    std::lock_guard lock(m);
    logs.emplace_back(line);
  };
  auto service = rats::VerifierService::create(std::move(config));
  ASSERT_TRUE(service.has_value()) << service.error().message;
  ASSERT_TRUE((*service)->start().has_value());
  const int port = (*service)->port();
  EXPECT_EQ(http_get(port, "/").status, 200);
  EXPECT_EQ(http_get(port, "/healthz").status, 200);
  EXPECT_EQ(http_get(port, "/.well-known/jwks.json").status, 404);
  EXPECT_EQ(http_post(port, "/v1/attest", "{}").status, 404);
  EXPECT_EQ(http_post(port, "/v1/challenge", "{}").status, 404);
  // No endorsement source: decoded, and verification says why it did not happen.
  auto r = http_post(port, "/v1/inspect", R"({"evidence": "AAAA"})");
  EXPECT_EQ(r.status, 400) << r.body;
  (*service)->stop();
}

}  // namespace
}  // namespace veritee::test
