// `veritee serve`: the verifier as an HTTP service (cpp-httplib), JSON bodies (docs/service.md):
//
//   POST /v1/challenge            -> {"nonce": b64, "expires": RFC 3339}
//   POST /v1/attest               -> 200 {"ear": JWT} for anything appraisable (whatever its
//                                    status), 400 malformed, 413 over the body limit,
//                                    422 endorsement missing, 502/503 endorsement source failed
//   GET  /.well-known/jwks.json   -> the result-signing key (RFC 7517)
//   GET  /healthz                 -> {"status": "ok"}
//   GET  /metrics                 -> Prometheus text
//
// A bounded pool of worker threads over a bounded queue (the accept loop waits when it is
// full), read/write timeouts against slow clients, and one structured log line per request
// (never evidence bytes).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"
#include "veritee/rats/appraiser.hpp"
#include "veritee/rats/attestation_result.hpp"
#include "veritee/rats/signing_key.hpp"

namespace veritee::rats {

struct ServiceConfig {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port (see VerifierService::port())

  AppraiserConfig appraiser;               // policy, roots, endorsements, CRL mode, clock
  std::shared_ptr<NonceService> nonces;    // HmacNonces with a random secret when empty
  std::chrono::seconds nonce_ttl{120};     // for the default nonce service
  std::size_t replay_capacity = 1 << 18;   // for the default nonce service

  std::optional<SigningKey> key;           // signs EARs (required)
  std::vector<SigningKey> published;       // more keys in the JWKS (rotation: older keys whose
                                           // tokens are still in flight)
  VerifierIdentity identity;

  std::size_t threads = 8;
  std::size_t queue = 64;                  // accepted connections waiting for a worker
  std::size_t max_body = 64 * 1024;        // larger bodies: 413
  std::chrono::milliseconds read_timeout{5'000};
  std::chrono::milliseconds write_timeout{5'000};
  std::chrono::milliseconds keep_alive{2'000};

  // One JSON line per request; stderr when empty.
  std::function<void(std::string_view)> log;
  // Extra Prometheus lines for /metrics (e.g. the KDS client's request count).
  std::function<std::string()> extra_metrics;
  // GET /readyz: nothing when ready, else why not (e.g. "KDS unavailable"); always ready when
  // empty. /healthz stays 200 either way.
  std::function<std::optional<std::string>()> ready;
};

class VerifierService {
 public:
  // Errc::kInvalidInput when the configuration lacks its signing key or endorsement source.
  static Result<std::unique_ptr<VerifierService>> create(ServiceConfig config);
  ~VerifierService();  // stops and joins
  VerifierService(const VerifierService&) = delete;
  VerifierService& operator=(const VerifierService&) = delete;

  // Binds the listening socket (Errc::kIo naming host:port on failure).
  Result<void> bind();
  int port() const;
  // Serves until stop(); returns when every in-flight request has finished.
  void run();
  // bind() then run() on a background thread.
  Result<void> start();
  // Stops accepting, lets in-flight requests finish; safe from any thread, idempotent.
  void stop();
  // Key rotation and policy reload (SIGHUP in `veritee serve`): requests that start afterwards
  // are signed with `key`, the JWKS publishes `key` and `published`, and appraisal uses
  // `policy`; requests in flight finish with what they started with; no connection is dropped.
  // Independent of the transport: it swaps one snapshot that the handlers read.
  void reload(SigningKey key, std::vector<SigningKey> published, verify::AppraisalPolicy policy);

 private:
  explicit VerifierService(ServiceConfig config);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace veritee::rats
