// POST /v1/attest with Intel DCAP quotes (SGX v3, TDX v4/v5) from the DCAP corpus: every
// MANIFEST verification row appraised through HTTP at its time, with the collateral in the
// request; the EAR (submod "TDX" or "SGX") checked against the JWKS and by the relying party's
// check; the TCB status and the [tdx]/[sgx] policy in the AR4SI vector; nonces bound through
// REPORTDATA (bound, mismatched, required); collateral from the service's cache or none (422);
// malformed requests (400).
#include <gtest/gtest.h>

#include "rats/rats_fixture.hpp"
#include "rats/shared_server_suite.hpp"
#include "support/dcap_corpus.hpp"
#include "support/process.hpp"
#include "veritee/endorse/pcs.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/result_check.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/verify.hpp"
#include "veritee/verify/check_registry.hpp"

namespace veritee::test {
namespace {

namespace dcap = test::dcap;

std::string read_text(const std::string& rel) {
  Bytes b = dcap::read_corpus(rel);
  return std::string(b.begin(), b.end());
}

veritee::TimePoint at(const std::string& text) { return *veritee::parse_time(text); }

rats::Submission quote_submission(const std::string& quote, const std::string& collateral) {
  rats::Submission s;
  s.quote = dcap::read_corpus(quote);
  if (!collateral.empty()) s.collateral = read_text(collateral);
  return s;
}

// The verified claims of a 200 answer and its one submod.
struct DcapEar {
  std::string token;
  nlohmann::json claims;
  std::string submod_name;
  const nlohmann::json& submod() const { return claims.at("submods").at(submod_name); }
  std::string status() const { return submod()["ear.status"]; }
  int vector(const char* component) const { return submod()["ear.trustworthiness-vector"][component]; }
  std::vector<std::string> failed() const { return submod()["veritee.failed-checks"]; }
};

DcapEar ear_of(TestServer& server, const HttpResult& r) {
  DcapEar out;
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  auto j = r.json();
  if (r.status != 200 || !j.contains("ear")) return out;
  out.token = j["ear"];
  auto keys = rats::Jwks::parse(server.get("/.well-known/jwks.json").body);
  EXPECT_TRUE(keys);
  auto v = rats::jws_verify(out.token, *keys);
  EXPECT_TRUE(v) << v.error().message;
  if (!v) return out;
  out.claims = v->jws.payload;
  EXPECT_EQ(out.claims["submods"].size(), 1u);
  out.submod_name = out.claims["submods"].begin().key();
  EXPECT_EQ(j["status"], out.status());
  for (const auto& c : out.submod()["veritee.checks"]) {
    EXPECT_NE(verify::find_check(c["id"].get<std::string>()), nullptr) << "unregistered check " << c["id"];
  }
  return out;
}

constexpr const char* kTdx = "dcap-qvl/sample/tdx_quote";
constexpr const char* kTdxCol = "dcap-qvl/sample/tdx_quote_collateral.json";
constexpr const char* kSgx = "dcap-qvl/sample/sgx_quote";
constexpr const char* kSgxCol = "dcap-qvl/sample/sgx_quote_collateral.json";
constexpr const char* kAt = "2025-07-04T10:00:00Z";  // both samples' collateral is current

// ---------------------------------------------------------------------------------------------
// Every verification row of the MANIFEST, default policy (UpToDate only), no nonce.

class DcapOverHttp : public SharedServerSuite<dcap::Row> {};

TEST_P(DcapOverHttp, StatusAndVectorFollowTheManifest) {
  const dcap::Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  TestServer& server = *server_;
  server.clock().set(at(row.at));
  auto ear = ear_of(server, server.attest(quote_submission(row.quote, row.collateral)));
  ASSERT_FALSE(ear.token.empty());
  EXPECT_EQ(ear.submod_name, row.tee == "tdx" ? "TDX" : "SGX");
  EXPECT_EQ(ear.submod()["veritee.report"]["header"]["version"], row.version);
  if (row.expects_error()) {
    // Expired, not yet valid, no TCB level, debug, wrong TEE: not authentic (or not judged),
    // so nothing is claimed.
    EXPECT_EQ(ear.status(), "contraindicated") << row.name();
    EXPECT_EQ(ear.vector("hardware"), 99) << row.name();
    EXPECT_EQ(ear.vector("executables"), 99) << row.name();
    EXPECT_FALSE(ear.failed().empty());
  } else {
    EXPECT_EQ(ear.submod()["veritee.report"]["tcb"]["status"], row.expected);
    const std::string advisories = row.advisories == "-" ? "" : row.advisories;
    std::string got;
    for (const auto& a : ear.submod()["veritee.report"]["tcb"]["advisories"]) {
      got += (got.empty() ? "" : ",") + a.get<std::string>();
    }
    EXPECT_EQ(got, advisories);
    if (row.expected == "UpToDate") {
      EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
      EXPECT_EQ(ear.vector("hardware"), 2);
    } else {
      EXPECT_EQ(ear.status(), "contraindicated");
      EXPECT_EQ(ear.failed(), std::vector<std::string>{"policy.dcap.tcb_status"});
      EXPECT_EQ(ear.vector("hardware"), 96);
    }
    EXPECT_EQ(ear.vector("runtime-opaque"), 2);
  }
  // The relying party's check accepts exactly the status the EAR carries.
  rats::ResultCheckOptions o;
  o.now = at(row.at);
  o.issuer = "veritee";
  o.accept = *rats::parse_ear_status(ear.status());
  auto checked = rats::check_result(ear.token, *rats::Jwks::parse(server.get("/.well-known/jwks.json").body), o);
  EXPECT_TRUE(checked.checks.passed()) << rats::summarize(checked);
  EXPECT_EQ(oracle_verify(ear.token, server.get("/.well-known/jwks.json").body), "");
}

INSTANTIATE_TEST_SUITE_P(Corpus, DcapOverHttp, ::testing::ValuesIn(dcap::rows(true)), dcap::RowName{});

// ---------------------------------------------------------------------------------------------
// The [tdx] / [sgx] policy in the result.

TEST(DcapPolicyOverHttp, AcceptedNonUpToDateStatusIsAWarning) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  ServerOptions o;
  o.policy = policy_from(
      "require_nonce = false\n[sgx]\naccept_tcb_status = [\"UpToDate\", \"ConfigurationAndSWHardeningNeeded\"]\n"
      "allow_advisories = [\"INTEL-SA-00289\", \"INTEL-SA-00615\"]\n");
  TestServer server(o);
  server.clock().set(at(kAt));
  auto ear = ear_of(server, server.attest(quote_submission(kSgx, kSgxCol)));
  EXPECT_EQ(ear.status(), "warning") << nlohmann::json(ear.failed()).dump();
  EXPECT_TRUE(ear.failed().empty());
  EXPECT_EQ(ear.vector("hardware"), 32);  // genuine, with known vulnerabilities
  EXPECT_EQ(ear.submod()["veritee.warnings"],
            nlohmann::json({"policy.dcap.advisories", "policy.dcap.tcb_status"}));
}

TEST(DcapPolicyOverHttp, AChangedReferenceValueIsContraindicated) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  ServerOptions o;
  o.policy = policy_from("require_nonce = false\n[tdx]\nmr_td = [\"" + std::string(96, '0') + "\"]\n");
  TestServer server(o);
  server.clock().set(at(kAt));
  auto ear = ear_of(server, server.attest(quote_submission(kTdx, kTdxCol)));
  EXPECT_EQ(ear.status(), "contraindicated");
  EXPECT_EQ(ear.failed(), std::vector<std::string>{"policy.tdx.mr_td"});
  EXPECT_EQ(ear.vector("executables"), 96);
  EXPECT_EQ(ear.vector("hardware"), 2);  // authentic and UpToDate: only the measurement is refused
  EXPECT_NE(ear.submod()["ear.appraisal-policy-id"].get<std::string>(), "");
}

// ---------------------------------------------------------------------------------------------
// Nonces through REPORTDATA: the rule and the checks of SNP reports.

TEST(DcapNonce, BoundThroughReportData) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  rats::Submission s = quote_submission(kTdx, kTdxCol);
  auto quote = tdx::load_quote(*s.quote);
  ASSERT_TRUE(quote);
  const Bytes report_data(quote->quote.report_data().begin(), quote->quote.report_data().end());
  ServerOptions o;  // nonce required
  o.nonces = std::make_shared<KnownNonce>(report_data);
  TestServer server(o);
  server.clock().set(at(kAt));
  EXPECT_EQ(server.challenge(), report_data);
  s.nonce = report_data;
  auto ear = ear_of(server, server.attest(s));
  EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
  EXPECT_EQ(ear.submod()["veritee.nonce-binding"], "padded");
  EXPECT_EQ(ear.claims["eat_nonce"], to_base64url(report_data));
  EXPECT_EQ(ear_of(server, server.attest(s)).failed(), std::vector<std::string>{"nonce.valid"});  // reused
}

TEST(DcapNonce, AnotherNonceIsNotBoundAndNothingIsClaimed) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TestServer server;  // nonce required, HMAC nonces
  server.clock().set(at(kAt));
  rats::Submission s = quote_submission(kTdx, kTdxCol);
  auto missing = server.attest(s);
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("REPORTDATA"), std::string::npos) << missing.body;
  s.nonce = server.challenge();
  auto ear = ear_of(server, server.attest(s));
  EXPECT_EQ(ear.status(), "contraindicated");
  EXPECT_EQ(ear.failed(), std::vector<std::string>{"nonce.bound"});
  EXPECT_EQ(ear.vector("hardware"), 99);
  std::string detail;
  for (const auto& c : ear.submod()["veritee.checks"]) {
    if (c["id"] == "nonce.bound") detail = c["detail"];
  }
  EXPECT_TRUE(detail.starts_with("REPORTDATA ")) << detail;
}

// ---------------------------------------------------------------------------------------------
// Where collateral comes from, and requests that cannot be appraised.

TEST(DcapRequests, CollateralFromTheCacheOrNone) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  ServerOptions o;
  o.policy = no_nonce_policy();
  {
    TestServer empty(o);  // no cache: the quote alone cannot be appraised
    empty.clock().set(at(kAt));
    auto r = empty.attest(quote_submission(kTdx, ""));
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("send \\\"collateral\\\""), std::string::npos) << r.body;
  }
  // The cache filled as the PCS fetcher fills it: each piece checked by its entry on the way in.
  {
    endorse::EndorsementCache cache(dir.path());
    auto request = tdx::collateral_request(tdx::load_quote(dcap::read_corpus(kTdx))->quote);
    ASSERT_TRUE(request);
    const auto whole = nlohmann::json::parse(read_text(kTdxCol));
    auto part = [&](std::initializer_list<const char*> keys) {
      nlohmann::json j = nlohmann::json::object();
      for (const char* k : keys) j[k] = whole[k];
      const std::string text = j.dump();
      return Bytes(text.begin(), text.end());
    };
    const auto& root = tdx::intel_sgx_root_ca();
    const auto t = at(kAt);
    auto put = [&](const endorse::CacheEntry& e, const Bytes& b) {
      auto stored = cache.put(e, b);
      EXPECT_TRUE(stored) << e.key << ": " << stored.error().message;
    };
    put(endorse::tcb_info_entry(*request, root, t), part({"tcb_info_issuer_chain", "tcb_info", "tcb_info_signature"}));
    put(endorse::qe_identity_entry(request->tee, root, t),
        part({"qe_identity_issuer_chain", "qe_identity", "qe_identity_signature"}));
    put(endorse::pck_crl_entry(request->ca, root, t), part({"pck_crl_issuer_chain", "pck_crl"}));
    put(endorse::root_ca_crl_entry(root, t), part({"root_ca_crl"}));
  }
  o.cache_dir = dir.path();
  TestServer server(o);
  server.clock().set(at(kAt));
  auto ear = ear_of(server, server.attest(quote_submission(kTdx, "")));
  EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
  const std::string m = server.metrics_containing("piece=\"TCB Info\",source=\"cache\"");
  EXPECT_NE(m.find("veritee_endorsements_total{piece=\"TCB Info\",source=\"cache\"} 1"), std::string::npos) << m;
}

TEST(DcapRequests, MalformedAreRefused) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  ServerOptions o;
  o.policy = no_nonce_policy();
  TestServer server(o);
  server.clock().set(at(kAt));
  const std::string quote = to_base64(dcap::read_corpus(kTdx));
  auto expect_400 = [&](const std::string& body, const std::string& fragment) {
    auto r = server.post("/v1/attest", body);
    EXPECT_EQ(r.status, 400) << body.substr(0, 80) << " -> " << r.body;
    EXPECT_NE(r.body.find(fragment), std::string::npos) << r.body;
  };
  Bytes truncated = dcap::read_corpus(kTdx);
  truncated.resize(600);
  expect_400(nlohmann::json{{"quote", to_base64(truncated)}}.dump(), "\\\"quote\\\"");
  expect_400(nlohmann::json{{"quote", quote}, {"collateral", 5}}.dump(), "collateral");
  expect_400(nlohmann::json{{"quote", quote}, {"collateral", {{"tcb_info", "{}"}}}}.dump(), "\\\"collateral\\\"");
  expect_400(nlohmann::json{{"quote", quote}, {"report", quote}}.dump(), "quote");
  expect_400(nlohmann::json{{"report", quote}, {"collateral", nlohmann::json::object()}}.dump(), "collateral");
  // The collateral as its JSON text (a string) is the same request as the object.
  nlohmann::json as_text{{"quote", quote}, {"collateral", read_text(kTdxCol)}};
  auto ear = ear_of(server, server.post("/v1/attest", as_text.dump()));
  EXPECT_EQ(ear.status(), "affirming");
  EXPECT_EQ(server.get("/healthz").status, 200);
}

}  // namespace
}  // namespace veritee::test
