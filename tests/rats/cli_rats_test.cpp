// The three commands as a user runs them: `veritee serve` in its own process (stopped with
// SIGTERM), `veritee attest --evidence` against it, and `veritee check-result` on what it
// printed -- with the documented exit codes.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <regex>
#include <thread>

#include "rats/rats_fixture.hpp"
#include "rats/serve_process.hpp"
#include "veritee/rats/attest_client.hpp"
#include "support/dcap_corpus.hpp"
#include "support/process.hpp"
#include "rats/serve_process.hpp"

extern char** environ;

namespace veritee::test {
namespace {

std::string corpus_file(const char* relative) { return corpus_path(relative).string(); }

TEST(CliRats, ServeAttestCheckResultAndSigterm) {
  VERITEE_REQUIRE_CORPUS();
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--offline", "--cache-dir", (dir / "cache").string(),
                      "--threads", "2"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  const std::string jwks_url = serve.url() + "/.well-known/jwks.json";

  // Affirming evidence: exit 0, the EAR written to --out.
  auto ear_path = (dir / "ear.jwt").string();
  auto r = run_cli({"attest", "--verifier", serve.url(), "--evidence",
                    corpus_file("ms-tee-attestation-verification/genoa_attestation_report.bin"), "--vcek",
                    corpus_file("ms-tee-attestation-verification/genoa_vcek.pem"), "--out", ear_path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("status: affirming"), std::string::npos) << r.err;

  // The relying party: JWKS by URL and by file.
  r = run_cli({"check-result", ear_path, "--jwks", jwks_url, "--issuer", "veritee"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("submod SEV-SNP: affirming"), std::string::npos) << r.out;
  auto jwks_file = dir.write("jwks.json", http_get(serve.port(), "/.well-known/jwks.json").body);
  const std::string token = std::string(reinterpret_cast<const char*>(slurp(ear_path).data()), slurp(ear_path).size());
  r = run_cli({"check-result", token.substr(0, token.size() - 1), "--jwks", jwks_file.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["accepted"], true);
  // Not accepted: wrong nonce, wrong issuer, too old; exit 1.
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", jwks_url, "--nonce", "AAAAAAAAAAA="}).exit_code, 1);
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", jwks_url, "--issuer", "other"}).exit_code, 1);
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", jwks_url, "--at", "2099-01-01T00:00:00Z"}).exit_code, 1);
  // Another verifier's key: exit 1.
  auto other = rats::SigningKey::generate(rats::JwsAlg::kES256);
  auto other_jwks = dir.write("other.json", rats::Jwks::of(*other).to_json().dump());
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", other_jwks.string()}).exit_code, 1);
  // Not a token, bad flag value: exit 2. JWKS URL unreachable: exit 4.
  auto junk = dir.write("junk.txt", std::string("hello"));
  EXPECT_EQ(run_cli({"check-result", junk.string(), "--jwks", jwks_url}).exit_code, 2);
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", jwks_url, "--expect-status", "great"}).exit_code, 2);
  EXPECT_EQ(run_cli({"check-result", ear_path, "--jwks", "http://127.0.0.1:1/jwks.json"}).exit_code, 4);

  // attest exit codes: contraindicated 1 (DEBUG set), no VCEK to be had 3, malformed input 2,
  // verifier unreachable 4.
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence", corpus_file("go-sev-guest/attestation.bin"),
               "--vcek", corpus_file("go-sev-guest/vcek.testcer")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("status: contraindicated"), std::string::npos) << r.err;
  // It says so: the failed checks with their sentences, "NOT accepted", no "accepted (".
  EXPECT_NE(r.err.find("FAIL  policy.debug  POLICY.DEBUG is 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("FAIL  ear.status"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("NOT accepted"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("; accepted"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--expect-status"), std::string::npos) << r.err;
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence", corpus_file("virtee-sev/report_milan.hex")});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 422"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli({"attest", "--verifier", serve.url(), "--evidence", junk.string()}).exit_code, 2);
  EXPECT_EQ(run_cli({"attest", "--verifier", "http://127.0.0.1:1", "--evidence",
                     corpus_file("virtee-sev/report_milan.hex")}).exit_code, 4);

  // The key was generated once into the state directory, 0600.
  EXPECT_TRUE(std::filesystem::exists(dir / "state" / "signing-key.pem"));

  // SIGTERM: graceful, exit 0.
  EXPECT_EQ(serve.terminate(), 0) << serve.err();
  EXPECT_NE(serve.err().find("stopped"), std::string::npos) << serve.err();
}

// `attest --evidence` with a stored Intel DCAP quote: sent as a "quote", with its collateral
// file or without (the service then finds collateral itself: offline, none, so 422 and exit 3).
TEST(CliRats, AttestForwardsAStoredDcapQuoteAndItsCollateral) {
  VERITEE_REQUIRE_CORPUS();
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--offline", "--cache-dir", (dir / "cache").string(),
                      "--threads", "2", "--at", "2025-07-04T10:00:00Z"});  // the collateral is current then
  ASSERT_NE(serve.port(), 0) << serve.err();
  const std::string quote = dcap::corpus_path("dcap-qvl/sample/tdx_quote").string();
  const std::string collateral = dcap::corpus_path("dcap-qvl/sample/tdx_quote_collateral.json").string();

  // UpToDate TDX quote, its collateral along: affirming, exit 0; the EAR's submod is TDX's.
  auto ear_path = (dir / "ear.jwt").string();
  auto r = run_cli({"attest", "--verifier", serve.url(), "--evidence", quote, "--collateral", collateral,
                    "--out", ear_path, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["status"], "affirming") << r.out;
  r = run_cli({"check-result", ear_path, "--jwks", serve.url() + "/.well-known/jwks.json", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("TDX"), std::string::npos) << r.out;

  // The same quote hex-encoded is the same evidence.
  const Bytes raw = dcap::read_corpus("dcap-qvl/sample/tdx_quote");
  auto hex_quote = dir.write("quote.hex", to_hex(raw));
  EXPECT_EQ(run_cli({"attest", "--verifier", serve.url(), "--evidence", hex_quote.string(), "--collateral",
                     collateral}).exit_code, 0);

  // Without collateral an offline verifier has none: 422, exit 3, and it says so.
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence", quote});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 422"), std::string::npos) << r.err;

  // Usage errors, exit 2 before anything is sent: SNP-only flags with a quote, --collateral
  // with a report, collateral that is not a JSON object.
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence", quote, "--vcek", collateral});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is a DCAP quote"), std::string::npos) << r.err;
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence",
               corpus_file("ms-tee-attestation-verification/genoa_attestation_report.bin"), "--collateral", collateral});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--collateral is for quotes"), std::string::npos) << r.err;
  auto junk = dir.write("junk.json", std::string("[1, 2]"));
  r = run_cli({"attest", "--verifier", serve.url(), "--evidence", quote, "--collateral", junk.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("not a JSON object"), std::string::npos) << r.err;
  EXPECT_EQ(run_cli({"attest", "--verifier", serve.url(), "--collateral", collateral}).exit_code, 2);

  EXPECT_EQ(serve.terminate(), 0) << serve.err();
}

// Online: a request without a VCEK makes the service fetch it from (a loopback stand-in for)
// AMD KDS once, store it in the cache, and serve the next request from the cache.
TEST(CliRats, ServeFetchesAMissingVcekOnceThenUsesTheCache) {
  VERITEE_REQUIRE_CORPUS();
  const Bytes vcek = x509::Certificate::load_file(
                         corpus_path("ms-tee-attestation-verification/genoa_vcek.pem"))->front().der();
  httplib::Server kds;
  std::atomic<int> hits{0};
  std::string query;
  kds.Get(R"(/vcek/v1/Genoa/([0-9a-f]{128}))", [&](const httplib::Request& req, httplib::Response& res) {
    ++hits;
    query = req.has_param("snpSPL") && req.has_param("ucodeSPL") ? "ok" : "missing SPLs";
    res.set_content(std::string(vcek.begin(), vcek.end()), "application/octet-stream");
  });
  const int kds_port = kds.bind_to_any_port("127.0.0.1");
  std::thread kds_thread([&] { kds.listen_after_bind(); });

  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--cache-dir", (dir / "cache").string(), "--kds-url",
                      "http://127.0.0.1:" + std::to_string(kds_port), "--rate-limit", "0", "--no-crl"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  const std::string report = corpus_file("ms-tee-attestation-verification/genoa_attestation_report.bin");
  for (int i = 0; i < 2; ++i) {
    auto r = run_cli({"attest", "--verifier", serve.url(), "--evidence", report});
    EXPECT_EQ(r.exit_code, 0) << r.err << serve.err();
  }
  EXPECT_EQ(hits.load(), 1) << "fetched once, then from the cache";
  EXPECT_EQ(query, "ok");
  const std::string m = http_get(serve.port(), "/metrics").body;
  EXPECT_NE(m.find("veritee_endorsements_total{piece=\"VCEK\",source=\"kds\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_endorsements_total{piece=\"VCEK\",source=\"cache\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_kds_requests_total 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_kds_responses_total{outcome=\"ok\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_kds_request_seconds_count 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_build_info{version="), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_http_in_flight "), std::string::npos) << m;
  EXPECT_EQ(serve.terminate(), 0);
  kds.stop();
  kds_thread.join();
}

TEST(CliRats, ServeRefusesBadPolicyAndKey) {
  TempDir dir;
  auto bad = dir.write("bad.toml", std::string("allow_debug = 1\n"));
  auto r = run_cli({"serve", "--policy", bad.string(), "--state-dir", (dir / "s").string(), "--offline"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:1:"), std::string::npos) << r.err;
  auto good = dir.write("good.toml", std::string(""));
  auto key = dir.write("key.pem", std::string("nope"));
  r = run_cli({"serve", "--policy", good.string(), "--key", key.string(), "--offline"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_cli({"serve", "--policy", good.string(), "--state-dir", (dir / "s").string(), "--offline",
               "--listen", "nonsense"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

// A KDS outage never holds requests up (issue 11): against a closed port, and against a KDS
// answering 500 or 429, 400 attests from 16 clients (VCEK in the body, so only the CRL would need
// KDS) are all answered 200 with an EAR whose status the policy's `crl` rule gives -- "prefer"
// (the default): "warning", the reason in the chain.crl check; "require": "contraindicated";
// "skip": the CRL is not used, no warning from it -- with p99 and the slowest request under 1 s.
// CRLs are held and refreshed in the background (endorse/crl_keeper.hpp), never fetched at
// request time: KDS sees the keeper's startup prefetch (the first failure opens the circuit, so
// one request, not one per product line) and no request during the burst (the keeper retries
// after 30 s). /healthz stays 200; /readyz is 503 and lists the product lines without a CRL.
struct Burst {
  std::string policy = "require_nonce = false\n";
  std::string status = "warning";  // every EAR's
};

void burst_against_failing_kds(const std::string& kds_url, const std::function<int()>& kds_hits,
                               const Burst& want = {}) {
  TempDir dir;
  auto policy = dir.write("policy.toml", want.policy);
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--cache-dir", (dir / "cache").string(), "--kds-url",
                      kds_url, "--threads", "8"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  rats::Submission sub;
  sub.report = test::slurp(corpus_path("ms-tee-attestation-verification/genoa_attestation_report.bin"));
  sub.vcek = x509::Certificate::load_file(corpus_path("ms-tee-attestation-verification/genoa_vcek.pem"))
                 ->front().der();
  const std::string body = rats::submission_json(sub).dump();
  // The keeper's startup prefetch: its first request fails and opens the circuit.
  for (int i = 0; i < 200 && http_get(serve.port(), "/readyz").body.find("\"circuit\":\"open\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int hits_before = kds_hits();

  std::atomic<int> ok{0}, expected{0};
  std::mutex times_mutex;
  std::vector<long> times_ms;
  std::string sample;
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = http_post(serve.port(), "/v1/attest", body);
        const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0).count();
        if (r.status == 200) ++ok;
        if (r.body.find("\"status\":\"" + want.status + "\"") != std::string::npos) ++expected;
        std::lock_guard lock(times_mutex);
        times_ms.push_back(ms);
        if (sample.empty() || r.status != 200) sample = r.body;
      }
    });
  }
  for (auto& t : clients) t.join();
  std::sort(times_ms.begin(), times_ms.end());
  ASSERT_EQ(times_ms.size(), 400U);
  EXPECT_EQ(ok.load(), 400) << sample << "\n" << serve.err().substr(0, 3000);
  EXPECT_EQ(expected.load(), 400) << "every EAR is \"" << want.status << "\": " << sample;
  EXPECT_LT(times_ms[395], 1000) << "p99";
  EXPECT_LT(times_ms.back(), 1000) << "every request answered at once";
  EXPECT_EQ(kds_hits() - hits_before, 0) << "no KDS request during the burst: CRLs are never fetched per request";
  EXPECT_LE(kds_hits(), 1) << "the startup prefetch stops at its first failure (the circuit opens)";
  EXPECT_EQ(http_get(serve.port(), "/healthz").status, 200);
  auto ready = http_get(serve.port(), "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("circuit open"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"product\":\"genoa\""), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"current\":false"), std::string::npos) << ready.body;
  EXPECT_EQ(ready.body.find("/cache"), std::string::npos) << "no server paths: " << ready.body;
  const std::string m = http_get(serve.port(), "/metrics").body;
  EXPECT_NE(m.find("veritee_kds_circuit_open 1"), std::string::npos) << m;
  EXPECT_EQ(serve.terminate(), 0) << serve.err().substr(0, 2000);
}

// A port that was free a moment ago (bound, never listened on, closed): connections are refused.
std::string closed_port_url() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return "http://127.0.0.1:" + std::to_string(port);
}

TEST(CliRats, KdsClosedPortDoesNotHoldRequests) {
  VERITEE_REQUIRE_CORPUS();
  burst_against_failing_kds(closed_port_url(), [] { return 0; });
}

// A loopback KDS answering every request with `status` (and Retry-After for 429).
struct FailingKds {
  httplib::Server server;
  std::atomic<int> hits{0};
  std::thread thread;
  int port = 0;
  explicit FailingKds(int status) {
    server.Get(".*", [this, status](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.status = status;
      if (status == 429) res.set_header("Retry-After", "2");
      res.set_content("down", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~FailingKds() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

TEST(CliRats, Kds500DoesNotHoldRequests) {
  VERITEE_REQUIRE_CORPUS();
  FailingKds kds(500);
  burst_against_failing_kds(kds.url(), [&] { return kds.hits.load(); });
}

TEST(CliRats, Kds429DoesNotHoldRequests) {
  VERITEE_REQUIRE_CORPUS();
  FailingKds kds(429);
  burst_against_failing_kds(kds.url(), [&] { return kds.hits.load(); });
}

TEST(CliRats, KdsDownWithCrlRequireIsContraindicatedAt200) {
  VERITEE_REQUIRE_CORPUS();
  burst_against_failing_kds(closed_port_url(), [] { return 0; },
                            {"require_nonce = false\ncrl = \"require\"\n", "contraindicated"});
}

TEST(CliRats, KdsDownWithCrlSkipIsNotAWarning) {
  VERITEE_REQUIRE_CORPUS();
  burst_against_failing_kds(closed_port_url(), [] { return 0; },
                            {"require_nonce = false\ncrl = \"skip\"\n", "affirming"});
}

TEST(CliRats, ServeRefusesNonsenseOptionValues) {
  TempDir dir;
  auto policy = dir.write("p.toml", std::string(""));
  for (std::vector<std::string> bad : {std::vector<std::string>{"--nonce-ttl", "-5"},
                                       {"--result-lifetime", "-1"}, {"--threads", "0"},
                                       {"--read-timeout", "0"}}) {
    std::vector<std::string> args = {"serve", "--policy", policy.string(), "--state-dir",
                                     (dir / "s").string(), "--offline", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), bad.begin(), bad.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << "\n" << r.err;
    EXPECT_NE(r.err.find(bad[0]), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace veritee::test

