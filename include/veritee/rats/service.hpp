// `veritee serve`: the verifier as an HTTP service, JSON bodies (docs/service.md):
//
//   POST /v1/challenge            -> {"nonce": b64, "expires": RFC 3339}
//   POST /v1/attest               -> 200 {"ear": JWT} for anything appraisable (whatever its
//                                    status), 400 malformed, 413 over the body limit,
//                                    422 endorsement missing, 502/503 endorsement source failed
//   GET  /.well-known/jwks.json   -> the result-signing key (RFC 7517)
//   GET  /healthz                 -> {"status": "ok"}
//   GET  /readyz                  -> 200 ready / 503 not ready (ServiceConfig::ready, readiness)
//   GET  /metrics                 -> Prometheus text
//   GET  /                        -> the report inspector page (inspect.hpp)
//   POST /v1/inspect              -> the evidence decoded and verified, nothing signed or kept
//
// HTTP is GNU libmicrohttpd's: one epoll thread holds every connection (a cap in total and per
// client address, an idle timeout, a whole-request deadline, 32 KiB for the request head),
// appraisals run on a bounded pool of worker threads (full: 503 with Retry-After), an optional
// per-client-address rate limit (429 with Retry-After), TLS 1.2+ when given a certificate, and
// one structured log line per request (never evidence bytes). docs/service.md says why.
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
#include "veritee/rats/http_router.hpp"
#include "veritee/rats/inspect.hpp"
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
  std::size_t queue = 64;                  // requests waiting for a worker (full: 503)
  std::size_t max_body = 64 * 1024;        // larger bodies: 413
  std::chrono::milliseconds read_timeout{5'000};       // a connection idle this long is closed
  std::chrono::milliseconds request_deadline{30'000};  // a whole request must arrive within this
  std::size_t max_connections = 1024;      // open client connections, in total
  std::size_t max_connections_per_ip = 0;  // per client address; 0: no cap
  std::chrono::seconds drain_timeout{30};  // stop(): the longest in-flight requests may take
  double client_rate = 0;                  // requests a second per client address; 0: no limit
  double client_burst = 0;                 // requests at once per address; 0: max(1, rate)
  std::string tls_cert_pem;                // both set: HTTPS only, TLS 1.2 and 1.3
  std::string tls_key_pem;

  // One JSON line per request; stderr when empty.
  std::function<void(std::string_view)> log;
  // Extra Prometheus lines for /metrics (e.g. the KDS client's request count).
  std::function<std::string()> extra_metrics;
  // GET /readyz: nothing when ready, else why not (e.g. "KDS unavailable"); always ready when
  // empty. /healthz stays 200 either way.
  std::function<std::optional<std::string>()> ready;
  // More members of the /readyz body, ready or not (e.g. which CRLs are current).
  std::function<nlohmann::json()> readiness;

  // The report inspector (inspect.hpp, docs/inspect.md): the page at "/" and POST /v1/inspect.
  // `exit_code_of` gives its answers verify --json's "exit_code". With `inspect_only` nothing
  // else is served and no key or endorsement source is required (`veritee inspect`).
  ExitCodeOf exit_code_of;
  bool inspect_only = false;
  // More routes, registered after the service's own (http_router.hpp): one line each.
  std::function<void(Router&)> routes;
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
  // Stops accepting, closes connections that have not sent a request, lets in-flight requests
  // finish (at most drain_timeout); safe from any thread, idempotent.
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
