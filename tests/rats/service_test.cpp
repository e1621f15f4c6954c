// The verifier service end to end on 127.0.0.1: every signed corpus report appraised through
// HTTP and its EAR checked three ways (check_result, an OpenSSL-only JWS check against the
// JWKS, libjwt); nonces issued, bound (both forms, raw and Azure HCL) and refused (reused,
// expired, unbound, forged); bad input answered with the right 4xx while the server keeps
// serving; metrics, JWKS and log lines.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <thread>

#include "rats/rats_fixture.hpp"
#include "rats/shared_server_suite.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "support/process.hpp"
#include "veritee/rats/attest_client.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/result_check.hpp"

namespace veritee::test {
namespace {

Bytes sha512_of(const Bytes& data) {
  Bytes out(64);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha512(), nullptr);
  return out;
}
Bytes padded(const Bytes& nonce) {
  Bytes out(64, 0);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  return out;
}

// The EAR of a 200 answer, its verified claims, and the submod.
struct Ear {
  std::string token;
  nlohmann::json claims;
  const nlohmann::json& submod() const { return claims.at("submods").at("SEV-SNP"); }
  std::string status() const { return submod()["ear.status"]; }
  std::vector<std::string> failed() const { return submod()["veritee.failed-checks"]; }
  std::string check_detail(const std::string& id) const {
    for (const auto& c : submod()["veritee.checks"]) {
      if (c["id"] == id) return c["status"].get<std::string>() + ": " + c["detail"].get<std::string>();
    }
    return "(no " + id + ")";
  }
};

Ear ear_of(TestServer& server, const HttpResult& r) {
  Ear out;
  auto j = r.json();
  EXPECT_EQ(r.status, 200) << r.body << r.error;
  if (r.status != 200 || !j.contains("ear")) return out;
  out.token = j["ear"];
  auto keys = rats::Jwks::parse(server.get("/.well-known/jwks.json").body);
  EXPECT_TRUE(keys);
  auto v = rats::jws_verify(out.token, *keys);
  EXPECT_TRUE(v) << v.error().message;
  if (v) out.claims = v->jws.payload;
  EXPECT_EQ(j["status"], out.status());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Every signed corpus report through HTTP.

class CorpusOverHttp : public SharedServerSuite<ManifestRow> {};

TEST_P(CorpusOverHttp, AppraisedSignedAndCheckedThreeWays) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  TestServer& server = *server_;
  server.clock().set(row_time(row));
  auto ear = ear_of(server, server.attest(submission_of(row)));
  ASSERT_FALSE(ear.token.empty());

  // Expected from the raw bytes: default policy refuses DEBUG (bit 19) and MIGRATE_MA (18).
  const Bytes report = report_bytes_of(row);
  const auto policy = le64(report, 0x08);
  const bool refused = ((policy >> 19) & 1) || ((policy >> 18) & 1);
  EXPECT_EQ(ear.status(), refused ? "contraindicated" : "affirming")
      << row.report << " failed: " << nlohmann::json(ear.failed()).dump();
  if (refused) {
    EXPECT_EQ(ear.failed(), std::vector<std::string>{"policy.debug"});
  }
  const auto& rep = ear.submod()["veritee.report"];
  EXPECT_EQ(rep["measurement"], to_hex(ByteView(report).subspan(0x90, 48)));
  EXPECT_EQ(rep["version"], row.version);
  EXPECT_EQ(rep["product"], row.product);
  EXPECT_EQ(rep["signing_key"], row.key);
  if (row.container().starts_with("azure-hcl")) {
    EXPECT_EQ(ear.submod()["veritee.evidence"], "Azure HCL blob");
    EXPECT_TRUE(ear.check_detail("hcl.runtime_claims").starts_with("pass")) << ear.check_detail("hcl.runtime_claims");
  }

  // The relying party's check (as check-result does it).
  const std::string jwks = server.get("/.well-known/jwks.json").body;
  rats::ResultCheckOptions o;
  o.now = row_time(row);
  o.issuer = "veritee";
  o.accept = refused ? rats::EarStatus::kContraindicated : rats::EarStatus::kAffirming;
  auto checked = rats::check_result(ear.token, *rats::Jwks::parse(jwks), o);
  EXPECT_TRUE(checked.checks.passed()) << rats::summarize(checked);
  // Independently: OpenSSL alone, then libjwt.
  EXPECT_EQ(oracle_verify(ear.token, jwks), "");
  const auto lj = libjwt_verify(ear.token, server.key().public_pem());
  if (!lj.starts_with("skip")) {
    EXPECT_EQ(lj, "");
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusOverHttp, ::testing::ValuesIn(signed_rows()), ManifestRowName{});

// ---------------------------------------------------------------------------------------------
// Bad input: the right 4xx, a JSON error, and the server keeps serving.

class BadInput : public ::testing::Test {
 protected:
  void expect_error(const HttpResult& r, int status, const std::string& fragment) {
    EXPECT_EQ(r.status, status) << r.body << r.error;
    auto j = r.json();
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
    EXPECT_NE(j["error"].get<std::string>().find(fragment), std::string::npos) << j["error"];
    EXPECT_EQ(server.get("/healthz").status, 200) << "the server keeps serving";
  }
  TestServer server;  // default policy: a nonce is required
};

TEST_F(BadInput, MalformedRequests) {
  expect_error(server.post("/v1/attest", "{\"report\": "), 400, "not JSON");
  expect_error(server.post("/v1/attest", "[1,2]"), 400, "JSON object");
  expect_error(server.post("/v1/attest", R"({"reprot":"AAAA"})"), 400, "unknown member \"reprot\"");
  expect_error(server.post("/v1/attest", R"({"report":12})"), 400, "base64 string");
  expect_error(server.post("/v1/attest", R"({"report":"!!!notbase64"})"), 400, "\"report\": not base64");
  expect_error(server.post("/v1/attest", "{}"), 400, "no evidence");
  expect_error(server.post("/v1/attest", R"({"report":"AAAA","hcl":"AAAA"})"), 400, "not both");
}

TEST_F(BadInput, WrongSizesAndUnusableEndorsements) {
  VERITEE_REQUIRE_CORPUS();
  auto row = corpus_row([](const ManifestRow& r) { return r.report == "virtee-sev/report_milan.hex"; });
  ASSERT_TRUE(row);
  rats::Submission s = submission_of(*row);
  s.nonce = Bytes(56, 1);
  Bytes report = report_bytes_of(*row);
  s.report = Bytes(report.begin(), report.end() - 1);
  expect_error(server.attest(s), 400, "\"report\"");
  s.report = report;
  s.report->push_back(0);
  expect_error(server.attest(s), 400, "\"report\"");
  s.report = report;
  s.vcek = Bytes{0x30, 0x03, 0x02, 0x01, 0x00};
  expect_error(server.attest(s), 400, "\"vcek\"");
  s = submission_of(*row);
  s.nonce = Bytes(56, 1);
  s.cert_table = Bytes(40, 0xFF);
  expect_error(server.attest(s), 400, "\"cert_table\"");
  s = submission_of(*row);
  s.nonce = Bytes(56, 1);
  s.hcl = s.report;
  s.report.reset();
  expect_error(server.attest(s), 400, "\"hcl\"");
  // Required nonce missing.
  s = submission_of(*row);
  expect_error(server.attest(s), 400, "requires a nonce");
  // No VCEK and no way to get one offline: 422, naming what was tried.
  s.vcek.reset();
  s.nonce = Bytes(56, 1);
  expect_error(server.attest(s), 422, "no VCEK");
}

TEST_F(BadInput, OversizedBodyAndUnknownPaths) {
  std::string big = R"({"report":")" + std::string(70 * 1024, 'A') + "\"}";
  expect_error(server.post("/v1/attest", big), 413, "larger than 65536");
  expect_error(server.get("/v1/nothing"), 404, "no such resource");
}

// A client that sends part of a request and stalls is cut off after the read timeout, while
// other clients are served.
TEST(SlowClient, IsCutOffAndOthersAreServed) {
  ServerOptions o;
  o.read_timeout = std::chrono::milliseconds(500);
  TestServer server(o);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string partial = "POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"rep";
  ASSERT_EQ(::send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  EXPECT_EQ(server.get("/healthz").status, 200) << "served while another client stalls";
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto start = std::chrono::steady_clock::now();
  char buf[512];
  ssize_t n = 0;
  std::string answer;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, static_cast<std::size_t>(n));
  const auto waited = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(n, 0) << "the server closed the connection";
  EXPECT_LT(waited, std::chrono::seconds(4));
  EXPECT_EQ(answer.find("200 OK"), std::string::npos) << answer;
  EXPECT_EQ(server.get("/healthz").status, 200);
}

// ---------------------------------------------------------------------------------------------
// Nonces: issued by the service, bound by evidence re-signed with a pinned test PKI.

class NonceFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    auto row = corpus_row([](const ManifestRow& r) {
      return r.product == "milan" && r.version == 3 && r.key == "VCEK" && r.container().empty();
    });
    ASSERT_TRUE(row);
    resigner = std::make_unique<Resigner>(*row);
    ServerOptions o;  // default policy: nonce required
    o.roots = &resigner->roots();
    o.nonce_ttl = std::chrono::seconds(30);
    server = std::make_unique<TestServer>(o);
  }
  rats::Submission bound(const Bytes& nonce, const Bytes& report_data) {
    rats::Submission s;
    s.report = resigner->report_with(report_data);
    s.vcek = resigner->vcek_der();
    s.nonce = nonce;
    return s;
  }
  std::unique_ptr<Resigner> resigner;
  std::unique_ptr<TestServer> server;
};

TEST_F(NonceFlow, BothBindingFormsAreAccepted) {
  for (auto [form, make] : {std::pair{"sha512", &sha512_of}, std::pair{"padded", &padded}}) {
    SCOPED_TRACE(form);
    const Bytes nonce = server->challenge();
    ASSERT_EQ(nonce.size(), 56u);
    auto ear = ear_of(*server, server->attest(bound(nonce, make(nonce))));
    EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
    EXPECT_EQ(ear.submod()["veritee.nonce-binding"], form);
    EXPECT_EQ(ear.claims["eat_nonce"], to_base64url(nonce));
    EXPECT_TRUE(ear.check_detail("nonce.valid").starts_with("pass"));
    rats::ResultCheckOptions o;
    o.now = server->clock().now();
    o.nonce = nonce;
    auto checked = rats::check_result(ear.token, *rats::Jwks::parse(server->get("/.well-known/jwks.json").body), o);
    EXPECT_TRUE(checked.checks.passed()) << rats::summarize(checked);
  }
}

TEST_F(NonceFlow, ReusedExpiredUnboundAndForgedAreContraindicated) {
  Bytes nonce = server->challenge();
  auto first = ear_of(*server, server->attest(bound(nonce, sha512_of(nonce))));
  EXPECT_EQ(first.status(), "affirming");
  auto again = ear_of(*server, server->attest(bound(nonce, sha512_of(nonce))));
  EXPECT_EQ(again.status(), "contraindicated");
  EXPECT_EQ(again.failed(), std::vector<std::string>{"nonce.valid"});
  EXPECT_NE(again.check_detail("nonce.valid").find("already used"), std::string::npos);

  nonce = server->challenge();
  server->clock().advance(std::chrono::seconds(31));
  auto late = ear_of(*server, server->attest(bound(nonce, sha512_of(nonce))));
  EXPECT_EQ(late.failed(), std::vector<std::string>{"nonce.valid"});
  EXPECT_NE(late.check_detail("nonce.valid").find("expired at"), std::string::npos) << late.check_detail("nonce.valid");

  Bytes a = server->challenge(), b = server->challenge();
  auto unbound = ear_of(*server, server->attest(bound(a, sha512_of(b))));
  EXPECT_EQ(unbound.failed(), std::vector<std::string>{"nonce.bound"});
  EXPECT_NE(unbound.check_detail("nonce.bound").find("is neither the nonce zero-padded"), std::string::npos);

  Bytes forged(56, 0x5A);
  auto fake = ear_of(*server, server->attest(bound(forged, sha512_of(forged))));
  EXPECT_EQ(fake.failed(), std::vector<std::string>{"nonce.valid"});
  EXPECT_NE(fake.check_detail("nonce.valid").find("not issued by this verifier"), std::string::npos);
  EXPECT_EQ(server->get("/healthz").status, 200);
}

TEST_F(NonceFlow, TamperedReportFailsTheSignatureNotTheNonce) {
  Bytes nonce = server->challenge();
  auto s = bound(nonce, sha512_of(nonce));
  (*s.report)[0x90] ^= 1;  // MEASUREMENT, inside the signed region
  auto ear = ear_of(*server, server->attest(s));
  EXPECT_EQ(ear.failed(), std::vector<std::string>{"report.signature"});
  EXPECT_EQ(ear.submod()["ear.trustworthiness-vector"]["hardware"], 99);
}

// The passport model through the library client, with a provider double standing in for the
// guest device: it returns the corpus report re-signed with the REPORT_DATA it was asked for,
// and the VCEK in a certificate table (as SNP_GET_EXT_REPORT would).
class ResigningProvider : public guest::EvidenceProvider {
 public:
  explicit ResigningProvider(const Resigner& r) : r_(r) {}
  guest::ProviderKind kind() const override { return guest::ProviderKind::kIoctl; }
  std::string_view name() const override { return "double"; }
  Result<guest::GuestEvidence> collect(const guest::EvidenceRequest& request) override {
    guest::GuestEvidence ev;
    ev.report = r_.report_with(Bytes(request.report_data.begin(), request.report_data.end()));
    auto table = snp::build_cert_table({{std::string(snp::kGuidVcek), "vcek", r_.vcek_der()}});
    if (!table) return std::unexpected(table.error());
    ev.cert_table = *table;
    ++calls;
    return ev;
  }
  int calls = 0;

 private:
  const Resigner& r_;
};

TEST_F(NonceFlow, PassportModelThroughTheAttestClient) {
  for (auto binding : {rats::NonceBinding::kSha512, rats::NonceBinding::kPadded}) {
    ResigningProvider provider(*resigner);
    rats::AttestClientOptions o;
    o.verifier_url = server->url();
    o.binding = binding;
    auto outcome = rats::attest(provider, o, server->clock().now());
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(provider.calls, 1);
    EXPECT_EQ(outcome->check.status, rats::EarStatus::kAffirming) << rats::summarize(outcome->check);
    EXPECT_TRUE(outcome->check.checks.passed()) << rats::summarize(outcome->check);
    EXPECT_EQ(outcome->check.claims["submods"]["SEV-SNP"]["veritee.nonce-binding"], std::string(rats::to_string(binding)));
    EXPECT_EQ(oracle_verify(outcome->ear, server->get("/.well-known/jwks.json").body), "");
  }
}

TEST(NonceFlowAzure, HclUserDataBindsTheNonce) {
  VERITEE_REQUIRE_CORPUS();
  auto row = corpus_row([](const ManifestRow& r) { return r.report == "trustee/az-snp-vtpm/hcl-report.bin"; });
  if (!row) GTEST_SKIP() << "trustee HCL report not in the corpus";
  Resigner resigner(*row);
  ServerOptions o;
  o.roots = &resigner.roots();
  TestServer server(o);
  for (auto [form, make] : {std::pair{"sha512", &sha512_of}, std::pair{"padded", &padded}}) {
    SCOPED_TRACE(form);
    Bytes nonce = server.challenge();
    rats::Submission s;
    s.hcl = resigner.hcl_with_user_data(make(nonce));
    s.vcek = resigner.vcek_der();
    s.nonce = nonce;
    auto ear = ear_of(server, server.attest(s));
    EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
    EXPECT_EQ(ear.submod()["veritee.nonce-binding"], form);
    EXPECT_TRUE(ear.check_detail("hcl.runtime_claims").starts_with("pass"));
    EXPECT_NE(ear.check_detail("nonce.bound").find("user-data"), std::string::npos);
  }
  // user-data bound to another nonce.
  Bytes nonce = server.challenge();
  rats::Submission s;
  s.hcl = resigner.hcl_with_user_data(sha512_of(Bytes{1, 2, 3}));
  s.vcek = resigner.vcek_der();
  s.nonce = nonce;
  EXPECT_EQ(ear_of(server, server.attest(s)).failed(), std::vector<std::string>{"nonce.bound"});
}

TEST(InjectedNonceService, AcceptsAKnownRealReportData) {
  VERITEE_REQUIRE_CORPUS();
  auto row = corpus_row([](const ManifestRow& r) {
    Bytes rep = report_bytes_of(r);
    return r.at == "-" && r.container().empty() && r.key == "VCEK" && all_zero(ByteView(rep).subspan(0x70, 32)) &&
           !all_zero(ByteView(rep).subspan(0x50, 32)) && !((le64(rep, 0x08) >> 19) & 1);
  });
  ASSERT_TRUE(row);
  Bytes report = report_bytes_of(*row);
  Bytes known(report.begin() + 0x50, report.begin() + 0x70);
  ServerOptions o;  // nonce required
  o.nonces = std::make_shared<KnownNonce>(known);
  TestServer server(o);
  EXPECT_EQ(server.challenge(), known);
  rats::Submission s = submission_of(*row);
  s.nonce = known;
  auto ear = ear_of(server, server.attest(s));
  EXPECT_EQ(ear.status(), "affirming") << row->report << nlohmann::json(ear.failed()).dump();
  EXPECT_EQ(ear.submod()["veritee.nonce-binding"], "padded");
  EXPECT_EQ(ear_of(server, server.attest(s)).failed(), std::vector<std::string>{"nonce.valid"});
}

// A request without a VCEK gets it from the endorsement cache (filled here with a real corpus
// VCEK, checked against the pinned AMD roots on the way in, as the KDS client would).
TEST(Endorsements, VcekFromTheCache) {
  VERITEE_REQUIRE_CORPUS();
  auto row = corpus_row([](const ManifestRow& r) { return r.report == "ms-tee-attestation-verification/genoa_attestation_report.bin"; });
  ASSERT_TRUE(row);
  TempDir dir;
  Bytes report_bytes = report_bytes_of(*row);
  auto report = snp::Report::parse(report_bytes);
  auto request = endorse::VcekRequest::from_report(*report, snp::Product::kGenoa);
  ASSERT_TRUE(request) << request.error().message;
  {
    endorse::EndorsementCache cache(dir.path());
    rats::Submission s = submission_of(*row);
    ASSERT_TRUE(cache.put(endorse::vcek_entry(*request, snp::TrustStore::amd()), *s.vcek));
  }
  ServerOptions o;
  o.policy = no_nonce_policy();
  o.cache_dir = dir.path();
  TestServer server(o);
  rats::Submission s = submission_of(*row);
  s.vcek.reset();
  auto ear = ear_of(server, server.attest(s));
  EXPECT_EQ(ear.status(), "affirming") << nlohmann::json(ear.failed()).dump();
  const std::string m = server.metrics_containing("source=\"cache\"");
  EXPECT_NE(m.find("veritee_endorsements_total{piece=\"VCEK\",source=\"cache\"} 1"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------------------------
// JWKS, health, metrics, logs.

TEST(Operations, JwksHealthMetricsAndLogs) {
  VERITEE_REQUIRE_CORPUS();
  ServerOptions o;
  o.policy = no_nonce_policy();
  o.alg = rats::JwsAlg::kES384;
  TestServer server(o);
  auto row = corpus_row([](const ManifestRow& r) { return r.report == "ms-tee-attestation-verification/genoa_attestation_report.bin"; });
  ASSERT_TRUE(row);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server.attest(submission_of(*row)).status, 200);
  EXPECT_EQ(server.post("/v1/attest", "nope").status, 400);

  auto jwks = server.get("/.well-known/jwks.json");
  auto j = jwks.json();
  ASSERT_EQ(j["keys"].size(), 1u);
  EXPECT_EQ(j["keys"][0]["kid"], rats::jwk_thumbprint(server.key()));
  EXPECT_EQ(j["keys"][0]["alg"], "ES384");
  EXPECT_EQ(j["keys"][0]["crv"], "P-384");
  EXPECT_FALSE(j["keys"][0].contains("d")) << "never the private key";
  EXPECT_EQ(server.get("/healthz").json()["status"], "ok");

  // Request counts and log lines are written after the response went out: wait for them.
  std::string m;
  for (int i = 0; i < 200; ++i) {
    m = server.get("/metrics").body;
    if (m.find("code=\"200\"} 3") != std::string::npos && server.logs().size() >= 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(m.find("veritee_http_requests_total{path=\"/v1/attest\",code=\"200\"} 3"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_http_requests_total{path=\"/v1/attest\",code=\"400\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_results_total{status=\"affirming\"} 3"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_verification_seconds_count 3"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_verification_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_endorsements_total{piece=\"VCEK\",source=\"request\"} 3"), std::string::npos) << m;

  const std::string evidence_b64 = to_base64(report_bytes_of(*row)).substr(0, 40);
  auto logs = server.logs();
  ASSERT_GE(logs.size(), 6u);
  int attests = 0;
  for (const auto& line : logs) {
    auto l = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(l.is_object()) << line;
    for (const char* k : {"time", "remote", "method", "path", "status", "bytes_in"}) EXPECT_TRUE(l.contains(k)) << line;
    EXPECT_EQ(line.find(evidence_b64), std::string::npos) << "evidence bytes in a log line";
    if (l["path"] == "/v1/attest" && l["status"] == 200) {
      ++attests;
      EXPECT_EQ(l["ear_status"], "affirming");
      EXPECT_TRUE(l.contains("ms"));
    }
  }
  EXPECT_EQ(attests, 3);
}

}  // namespace
}  // namespace veritee::test
