// `veritee serve` (the real binary) with a loopback Intel PCS (FakePcs) and DCAP quotes sent
// without collateral (issue 11, "same rule for Intel PCS collateral"): the first quote is answered
// 503 at once and its collateral fetched in the background; then quotes are appraised from the
// collateral held, with no further PCS request; /readyz and /metrics say what is held. PCS
// answering 500, or hanging: every quote is answered at once (asserted by completion while PCS
// holds the fetch), PCS sees a bounded number of requests, nothing is cached, /readyz is 503 with
// the circuit open and /healthz stays 200. Time is the corpus collateral's (--at).
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "rats/serve_process.hpp"
#include "support/dcap_corpus.hpp"
#include "support/process.hpp"
#include "tdx/fake_pcs.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/tdx/collateral.hpp"

namespace veritee::tdx {
namespace {

using namespace std::chrono_literals;
using test::FakePcs;
using test::ServeProcess;
using test::TempDir;

struct Answer {
  int status = 0;  // 0: no answer (the client gave up)
  std::string body;
  std::string retry_after;
};

Answer request(int port, const std::string& method, const std::string& path, const std::string& body = {}) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(20, 0);  // far beyond any answer that does not wait for PCS
  auto r = method == "POST" ? c.Post(path, body, "application/json") : c.Get(path);
  if (!r) return {};
  return {r->status, r->body, r->get_header_value("Retry-After")};
}

class ServeCollateral : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::dcap::corpus_dir()) GTEST_SKIP() << "DCAP corpus absent";
    pcs_ = std::make_unique<FakePcs>(load_collateral_file(test::dcap::corpus_path(test::kTdxSampleCollateral)).value());
    policy_ = dir_.write("policy.toml", std::string("require_nonce = false\n"));
    body_ = nlohmann::json{{"quote", to_base64(test::dcap::read_corpus(test::kTdxSampleQuote))}}.dump();
  }
  std::unique_ptr<ServeProcess> serve() {
    return std::make_unique<ServeProcess>(std::vector<std::string>{
        "--listen", "127.0.0.1:0", "--policy", policy_.string(), "--state-dir", (dir_ / "state").string(),
        "--cache-dir", (dir_ / "cache").string(), "--pcs-url", pcs_->url(), "--rate-limit", "0",
        "--kds-timeout", "1", "--no-crl", "--at", test::kTdxSampleAt, "--threads", "4"});
  }
  std::size_t dcap_entries() {
    std::size_t n = 0;
    for (const auto& key : endorse::EndorsementCache(dir_ / "cache").keys()) n += key.starts_with("dcap/") ? 1 : 0;
    return n;
  }
  TempDir dir_;
  std::unique_ptr<FakePcs> pcs_;
  std::filesystem::path policy_;
  std::string body_;
};

TEST_F(ServeCollateral, FirstQuoteIs503AtOnceThenHeldCollateralIsUsedWithoutAFetch) {
  auto s = serve();
  ASSERT_NE(s->port(), 0) << s->err();
  auto first = request(s->port(), "POST", "/v1/attest", body_);
  EXPECT_EQ(first.status, 503) << first.body;
  EXPECT_NE(first.body.find("not held yet"), std::string::npos) << first.body;
  EXPECT_EQ(first.retry_after, "1");
  EXPECT_EQ(first.body.find("/cache"), std::string::npos) << "no server paths: " << first.body;
  // The background fetch: four pieces, then the quote is appraised.
  Answer ready;
  for (int i = 0; i < 1000; ++i) {
    ready = request(s->port(), "GET", "/readyz");
    if (ready.body.find("\"current\":false") == std::string::npos &&
        ready.body.find("\"tcb_info\"") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto j = nlohmann::json::parse(ready.body);
  ASSERT_TRUE(j.contains("pcs")) << ready.body;
  EXPECT_EQ(j["pcs"]["ready"], true) << ready.body;
  EXPECT_EQ(j["pcs"]["circuit"], "closed");
  EXPECT_EQ(j["pcs"]["collateral"].size(), 4U) << ready.body;
  for (const auto& piece : j["pcs"]["collateral"]) {
    EXPECT_EQ(piece["current"], true) << piece.dump();
    EXPECT_EQ(piece["from"], "PCS") << piece.dump();
  }
  EXPECT_EQ(pcs_->requests(), 4U);
  for (int i = 0; i < 20; ++i) {
    auto r = request(s->port(), "POST", "/v1/attest", body_);
    ASSERT_EQ(r.status, 200) << r.body << s->err().substr(0, 2000);
    EXPECT_NE(r.body.find("\"ear\""), std::string::npos);
  }
  EXPECT_EQ(pcs_->requests(), 4U) << "held collateral: no request per quote";
  EXPECT_EQ(dcap_entries(), 4U) << "and in the cache";
  const std::string m = request(s->port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("veritee_pcs_requests_total 4"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_pcs_circuit_open 0"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_pcs_responses_total{outcome=\"ok\"} 4"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_pcs_request_seconds_count 4"), std::string::npos) << m;
  EXPECT_NE(m.find("veritee_dcap_collateral_current{piece=\"tcb_info\",tee=\"tdx\",ca=\"\",fmspc=\""),
            std::string::npos) << m;
  EXPECT_EQ(m.find("veritee_dcap_collateral_current{piece=\"qe_identity\",tee=\"tdx\",ca=\"\",fmspc=\"\"} 0"),
            std::string::npos) << m;
  EXPECT_EQ(s->terminate(), 0) << s->err().substr(0, 2000);

  // Restarted on the same cache: held from the start, no request to PCS.
  auto again = serve();
  ASSERT_NE(again->port(), 0) << again->err();
  auto r = request(again->port(), "POST", "/v1/attest", body_);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(pcs_->requests(), 4U);
  EXPECT_EQ(again->terminate(), 0);
}

// PCS failing or hanging: 200 quotes from 8 clients are all answered 503 (with a hanging PCS, sent
// once PCS holds the keeper's fetch), PCS sees a bounded number of requests (the keeper's, not
// one per quote), nothing is cached; /readyz says why once the circuit is open.
void outage(FakePcs& pcs, ServeProcess& s, const std::string& body,
            const std::function<std::size_t()>& dcap_entries, bool hang) {
  ASSERT_NE(s.port(), 0) << s.err();
  EXPECT_EQ(request(s.port(), "POST", "/v1/attest", body).status, 503);
  if (hang) {
    for (int i = 0; i < 2000 && pcs.requests() == 0; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_GE(pcs.requests(), 1U) << "the background fetch has reached PCS";
  }
  std::atomic<int> answered{0}, unavailable{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = request(s.port(), "POST", "/v1/attest", body);
        answered += r.status != 0 ? 1 : 0;
        unavailable += r.status == 503 ? 1 : 0;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(answered.load(), 200);
  EXPECT_EQ(unavailable.load(), 200);
  EXPECT_LE(pcs.requests(), 4U) << "the keeper's fetches only (the circuit opens at the first failure)";
  EXPECT_EQ(request(s.port(), "GET", "/healthz").status, 200);
  Answer ready;
  for (int i = 0; i < 1000; ++i) {
    ready = request(s.port(), "GET", "/readyz");
    if (ready.body.find("\"circuit\":\"open\"") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("no current Intel PCS collateral held"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("\"circuit\":\"open\""), std::string::npos) << ready.body;
  EXPECT_EQ(ready.body.find("/cache"), std::string::npos) << "no server paths: " << ready.body;
  const std::string m = request(s.port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("veritee_pcs_circuit_open 1"), std::string::npos) << m;
  EXPECT_NE(m.find(hang ? "veritee_pcs_responses_total{outcome=\"transport_error\"} 1"
                        : "veritee_pcs_responses_total{outcome=\"server_error\"} 1"),
            std::string::npos) << m;
  EXPECT_EQ(s.terminate(), 0) << s.err().substr(0, 2000);
  EXPECT_EQ(dcap_entries(), 0U) << "nothing cached";
}

TEST_F(ServeCollateral, Pcs500NeverHoldsAQuote) {
  pcs_->inject("/", {.status = 500}, 1000);
  auto s = serve();
  outage(*pcs_, *s, body_, [&] { return dcap_entries(); }, false);
}

TEST_F(ServeCollateral, HangingPcsNeverHoldsAQuote) {
  pcs_->inject("/", {.delay = 5'000ms}, 1000);
  auto s = serve();
  outage(*pcs_, *s, body_, [&] { return dcap_entries(); }, true);
}

}  // namespace
}  // namespace veritee::tdx
