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

#include <atomic>
#include <functional>
#include <mutex>
#include <regex>
#include <thread>

#include "rats/rats_fixture.hpp"
#include "rats/serve_process.hpp"
#include "veritee/rats/attest_client.hpp"
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

// A KDS outage never holds requests up (issue 11): against a closed port and against a KDS
// answering 500, 400 attests from 16 clients (VCEK in the body, the CRL to be fetched) are all
// answered 200 with status "warning" (policy crl = "prefer": no current CRL, the reason in the
// check), the slowest under 1 s, while KDS itself is asked a bounded number of times: the first
// failure opens the circuit for 30 s, so the burst makes at most 3 requests (the Genoa CRL, and
// one probe per product line at most; the test allows 5). /healthz stays 200, /readyz says 503.
void burst_against_failing_kds(const std::string& kds_url, const std::function<int()>& kds_hits) {
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--cache-dir", (dir / "cache").string(), "--kds-url",
                      kds_url, "--threads", "8"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  rats::Submission sub;
  sub.report = test::slurp(corpus_path("ms-tee-attestation-verification/genoa_attestation_report.bin"));
  sub.vcek = x509::Certificate::load_file(corpus_path("ms-tee-attestation-verification/genoa_vcek.pem"))
                 ->front().der();
  const std::string body = rats::submission_json(sub).dump();

  std::atomic<int> ok{0}, warning{0};
  std::atomic<long> slowest_ms{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = http_post(serve.port(), "/v1/attest", body);
        const long ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0).count();
        long seen = slowest_ms.load();
        while (ms > seen && !slowest_ms.compare_exchange_weak(seen, ms)) {}
        if (r.status == 200) ++ok;
        if (r.body.find("\"status\":\"warning\"") != std::string::npos) ++warning;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 400) << serve.err().substr(0, 3000);
  EXPECT_EQ(warning.load(), 400) << "prefer: no current CRL is a warning";
  EXPECT_LT(slowest_ms.load(), 1000) << "every request answered at once";
  EXPECT_LE(kds_hits(), 5) << "the circuit bounds KDS requests during the burst";
  EXPECT_EQ(http_get(serve.port(), "/healthz").status, 200);
  auto ready = http_get(serve.port(), "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("circuit open"), std::string::npos) << ready.body;
  const std::string m = http_get(serve.port(), "/metrics").body;
  EXPECT_NE(m.find("veritee_kds_circuit_open 1"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_kds_responses_total{outcome="), std::string::npos) << m;
  EXPECT_EQ(serve.terminate(), 0) << serve.err().substr(0, 2000);
}

TEST(CliRats, KdsClosedPortDoesNotHoldRequests) {
  VERITEE_REQUIRE_CORPUS();
  // A port that was free a moment ago (bound, never listened on, closed): connections are refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  burst_against_failing_kds("http://127.0.0.1:" + std::to_string(port), [] { return 0; });
}

TEST(CliRats, Kds500DoesNotHoldRequests) {
  VERITEE_REQUIRE_CORPUS();
  httplib::Server kds;
  std::atomic<int> hits{0};
  kds.Get(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 500;
    res.set_content("down", "text/plain");
  });
  const int kds_port = kds.bind_to_any_port("127.0.0.1");
  std::thread kds_thread([&] { kds.listen_after_bind(); });
  burst_against_failing_kds("http://127.0.0.1:" + std::to_string(kds_port), [&] { return hits.load(); });
  kds.stop();
  kds_thread.join();
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

