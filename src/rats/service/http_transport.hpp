// The HTTP transport under the verifier service: listens, parses requests, enforces the limits
// (connections, timeouts, body size while reading), asks the Router, sends responses. It knows
// nothing of attestation; the service (service.cpp) gives it a router and its hooks.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "veritee/common/error.hpp"
#include "veritee/rats/http_router.hpp"

namespace veritee::rats::detail {

struct TransportConfig {
  std::string host = "127.0.0.1";
  int port = 0;
  std::size_t threads = 8;                  // workers for RouteCost::kWorker handlers
  std::size_t queue = 64;                   // requests waiting for a worker
  std::size_t max_body = 64 * 1024;         // larger: 413, the rest unread
  std::chrono::milliseconds read_timeout{5'000};   // a connection idle this long is closed
  std::chrono::milliseconds request_deadline{30'000};  // from connection/previous response to a whole request
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 0;  // 0: no per-address cap
  std::chrono::seconds drain_timeout{30};   // stop(): how long in-flight requests may take
  std::string tls_cert_pem;                 // both set: HTTPS (TLS 1.2 and 1.3 only)
  std::string tls_key_pem;
};

struct TransportHooks {
  const Router* router = nullptr;
  std::function<std::string()> new_id;
  // Before a request is routed (nothing when it may go on, else the answer, e.g. 429).
  std::function<std::optional<HttpResponse>(const HttpRequest&)> admit;
  // After the response went out: the log line and the counters.
  std::function<void(const HttpRequest&, const HttpResponse&, std::chrono::steady_clock::time_point start)> done;
  // Transport-level messages (startup problems, library diagnostics) for the log.
  std::function<void(const std::string&)> note;
};

struct TransportStats {
  std::size_t connections = 0;  // open client connections
  std::size_t in_flight = 0;    // requests being handled or answered
  std::size_t queued = 0;       // requests waiting for a worker
};

class HttpTransport {
 public:
  HttpTransport(TransportConfig config, TransportHooks hooks);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Binds the listening socket (Errc::kIo naming host:port on failure).
  Result<void> bind();
  int port() const;
  // Serves until stop(); returns when in-flight requests have finished.
  void run();
  // Stops accepting, lets in-flight requests finish; safe from any thread, idempotent.
  void stop();
  // True once run() is serving.
  bool running() const;
  TransportStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "HTTP/1.1 413 ..." style reason-free error bodies share one text.
inline std::string body_limit_message(std::size_t max_body) {
  return "the request body is larger than " + std::to_string(max_body) + " bytes";
}

}  // namespace veritee::rats::detail
