// Test fixtures for the rats module: a clock the tests set, the verifier service on 127.0.0.1
// with an ephemeral port, HTTP helpers, corpus submissions, and re-signed evidence carrying a
// nonce (through the test PKI, pinned only inside the tests).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/corpus.hpp"
#include "support/test_pki.hpp"
#include "veritee/snp/hcl_report.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/rats/appraiser.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/policy_file.hpp"
#include "veritee/rats/service.hpp"
#include "veritee/rats/signing_key.hpp"

namespace veritee::test {

// Time as the tests say (DESIGN.md invariant 5); starts at the real current second.
class TestClock {
 public:
  TestClock();
  void set(veritee::TimePoint t);
  void advance(std::chrono::seconds s) { seconds_ += s.count(); }
  veritee::TimePoint now() const;
  rats::Clock clock() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> seconds_;
};

struct HttpResult {
  int status = 0;  // 0: transport error
  std::string body;
  std::string error;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

HttpResult http_post(int port, const std::string& path, const std::string& body);
// A raw TCP connection to 127.0.0.1:port with send and receive timeouts; -1 on failure.
int connect_loopback(int port, int timeout_seconds);
HttpResult http_get(int port, const std::string& path);
// A file as the inspector page sends it: text (PEM, hex, base64) as it is, other bytes as base64.
std::string inspector_text(const Bytes& file);

struct ServerOptions {
  verify::AppraisalPolicy policy;
  const snp::TrustStore* roots = &snp::TrustStore::amd();
  std::shared_ptr<rats::NonceService> nonces;  // HmacNonces when empty
  std::chrono::seconds nonce_ttl{60};
  std::size_t replay_capacity = 1 << 16;
  std::size_t threads = 4;
  std::size_t max_body = 64 * 1024;
  std::chrono::milliseconds read_timeout{2'000};
  std::chrono::milliseconds request_deadline{30'000};
  std::size_t max_connections = 1024;
  double client_rate = 0;  // 0: no per-client limit
  double client_burst = 0;
  rats::JwsAlg alg = rats::JwsAlg::kES256;
  std::optional<std::filesystem::path> cache_dir;  // an endorsement cache (never KDS); also
                                                   // DCAP collateral (never PCS)
};

// The verifier service on 127.0.0.1:<ephemeral>, offline (endorsements only from the request),
// its clock the fixture's; stopped and joined on destruction.
class TestServer {
 public:
  explicit TestServer(ServerOptions options = {});
  ~TestServer();

  int port() const { return service_->port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  TestClock& clock() { return clock_; }
  const rats::SigningKey& key() const { return *key_; }
  std::vector<std::string> logs() const;

  HttpResult post(const std::string& path, const std::string& body) { return http_post(port(), path, body); }
  HttpResult get(const std::string& path) { return http_get(port(), path); }
  // POST /v1/attest with a submission's JSON.
  HttpResult attest(const rats::Submission& s);
  // POST /v1/challenge: the nonce bytes (ADD_FAILURE and empty on error).
  Bytes challenge();
  // GET /metrics until it contains `needle` (counters are written after the response went
  // out), for at most about two seconds: the last body read.
  std::string metrics_containing(std::string_view needle);

 private:
  TestClock clock_;
  std::optional<rats::SigningKey> key_;
  mutable std::mutex log_mutex_;
  std::vector<std::string> logs_;
  std::unique_ptr<endorse::EndorsementCache> cache_;
  std::unique_ptr<rats::VerifierService> service_;
};

// A nonce service the test controls: it "issued" exactly one nonce, e.g. the bytes a real
// corpus report or quote carries in its report data (real vendor signature, real nonce check).
class KnownNonce : public rats::NonceService {
 public:
  explicit KnownNonce(Bytes nonce) : nonce_(std::move(nonce)) {}
  rats::IssuedNonce issue(veritee::TimePoint now) override { return {nonce_, now + std::chrono::seconds(60)}; }
  rats::NonceVerdict redeem(ByteView nonce, veritee::TimePoint now) override {
    if (!std::ranges::equal(nonce, nonce_)) return {rats::NonceState::kForged, std::nullopt};
    if (used_) return {rats::NonceState::kReused, now};
    used_ = true;
    return {rats::NonceState::kValid, now + std::chrono::seconds(60)};
  }

 private:
  Bytes nonce_;
  bool used_ = false;
};

// A policy from TOML text (ADD_FAILURE on a parse error).
verify::AppraisalPolicy policy_from(std::string_view toml);
// The appraisal policy tests start from: defaults, no nonce required.
verify::AppraisalPolicy no_nonce_policy();

// A manifest row's evidence as the service takes it: the decoded input as "report" (or "hcl"
// for an Azure HCL row) and the signer as "vcek" (DER).
rats::Submission submission_of(const ManifestRow& row);

// Every manifest row with a signer (the placeholder row when the corpus is absent).
std::vector<ManifestRow> signed_rows();

// Evidence re-signed by a test VCEK so it can carry REPORT_DATA of the test's choosing: the
// test PKI is made from the corpus report (its TCB and CHIP_ID) before any nonce exists, so a
// server can pin it, issue a nonce, and then see evidence bound to that nonce.
class Resigner {
 public:
  explicit Resigner(const ManifestRow& row);  // a VCEK-signed row with a product

  const TestPki& pki() const { return pki_; }
  const snp::TrustStore& roots() const { return pki_.store; }
  Bytes vcek_der() const { return pki_.vcek.der(); }
  // The report with REPORT_DATA replaced (64 bytes), signed by the test VCEK.
  Bytes report_with(const Bytes& report_data) const;
  // For an Azure HCL row: the blob with the runtime claims' "user-data" replaced (64 bytes),
  // REPORT_DATA[0:32] = SHA-256 of the new claims, the report re-signed.
  Bytes hcl_with_user_data(const Bytes& user_data) const;

 private:
  ManifestRow row_;
  Bytes report_;
  TestPki pki_;
};

// The first signed corpus row of a kind, e.g. [](auto& r) { return r.product == "milan"; }.
std::optional<ManifestRow> corpus_row(const std::function<bool(const ManifestRow&)>& pred);

// Verifies a compact JWS against a JWK set with OpenSSL alone, independently of src/rats:
// "" when it verifies, else why not.
std::string oracle_verify(const std::string& token, const std::string& jwks_json);
// The same with libjwt (a third implementation); "" when it verifies, "skip: ..." without it.
std::string libjwt_verify(const std::string& token, const std::string& public_pem);

}  // namespace veritee::test
