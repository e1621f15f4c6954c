// The verifier service over cpp-httplib: routes, status codes, the bounded worker pool, one log
// line per request, metrics (docs/service.md).
#include "veritee/rats/service.hpp"

#include <sys/socket.h>

#include <atomic>
#include <iostream>
#include <thread>

#include <httplib.h>

#include "rats/service/bounded_pool.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/metrics.hpp"

namespace veritee::rats {
namespace {

constexpr const char* kJson = "application/json";

// Request-scoped facts for the log line, set by the handlers of the worker thread serving it.
struct RequestNote {
  std::optional<std::chrono::steady_clock::time_point> start;
  std::string id;  // also sent as X-Request-Id
  std::size_t bytes_in = 0;
  std::string ear_status;
  std::string error;
};
thread_local RequestNote tl_note;

void reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  tl_note.error = message;
  reply(res, status, {{"error", message}});
}

// HTTP status for an appraisal that produced no result (appraiser.hpp).
int status_for(Errc code) {
  switch (code) {
    case Errc::kInvalidInput:
    case Errc::kTruncated:
    case Errc::kUnknownVersion: return 400;
    case Errc::kEndorsementMissing:
    case Errc::kUnknownProduct: return 422;
    case Errc::kEndorsementInvalid: return 502;
    case Errc::kNetwork: return 503;
    default: return 500;
  }
}

// A fixed label per route, so unknown paths cannot grow the metrics without bound.
std::string route_label(const std::string& path) {
  for (const char* known : {"/v1/challenge", "/v1/attest", "/.well-known/jwks.json", "/healthz", "/readyz", "/metrics"}) {
    if (path == known) return known;
  }
  return "other";
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

struct VerifierService::Impl {
  ServiceConfig config;
  std::shared_ptr<NonceService> nonces;
  // What reload() replaces: read as one snapshot per request.
  struct Keys {
    SigningKey key;
    std::string jwks;
    std::shared_ptr<const Appraiser> appraiser;
  };
  std::mutex keys_mutex;
  std::shared_ptr<const Keys> keys;
  std::shared_ptr<const Keys> snapshot() {
    std::lock_guard lock(keys_mutex);
    return keys;
  }
  void set_keys(SigningKey key, const std::vector<SigningKey>& published, const AppraiserConfig& a) {
    std::vector<SigningKey> all{key};
    all.insert(all.end(), published.begin(), published.end());
    auto next = std::make_shared<const Keys>(Keys{std::move(key), Jwks::of(all).to_json().dump(),
                                                  std::make_shared<const Appraiser>(a)});
    std::lock_guard lock(keys_mutex);
    keys = std::move(next);
  }
  Metrics metrics;
  httplib::Server server;
  std::thread thread;
  std::atomic<int> port{0};
  std::atomic<bool> stop_requested{false};
  int listen_fd = -1;
  std::mutex log_mutex;
  // Request ids: a random per-process prefix and a counter, unique across restarts in practice.
  const std::string id_prefix = to_hex(random_bytes(4));
  std::atomic<std::uint64_t> id_counter{0};

  std::string next_request_id() { return id_prefix + "-" + std::to_string(++id_counter); }

  explicit Impl(ServiceConfig c) : config(std::move(c)) {
    nonces = config.nonces ? config.nonces
                           : std::make_shared<HmacNonces>(random_bytes(32), config.nonce_ttl,
                                                          config.replay_capacity);
    config.appraiser.nonces = nonces.get();
    if (!config.appraiser.clock) config.appraiser.clock = system_clock();
    set_keys(*config.key, config.published, config.appraiser);
    setup();
  }

  void log(std::string_view line) {
    if (config.log) return config.log(line);
    std::lock_guard lock(log_mutex);
    std::cerr << line << '\n';
  }

  void setup() {
    const std::size_t threads = std::max<std::size_t>(1, config.threads);
    const std::size_t queue = std::max<std::size_t>(1, config.queue);
    server.new_task_queue = [threads, queue] { return new detail::BoundedPool(threads, queue); };
    server.set_payload_max_length(config.max_body);
    server.set_read_timeout(config.read_timeout);
    server.set_write_timeout(config.write_timeout);
    server.set_keep_alive_timeout(std::max<time_t>(1, static_cast<time_t>(config.keep_alive.count() / 1000)));
    server.set_keep_alive_max_count(100);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    // the peer's delayed ACK add ~40 ms to every response (RFC 1122 section 4.2.3.2).
    server.set_tcp_nodelay(true);
    // Remember the listening socket (these options apply to it alone) to widen its backlog
    // after bind: see widen_backlog().
    server.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_fd = sock;
    });

    server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response& res) {
      tl_note = RequestNote{std::chrono::steady_clock::now(), next_request_id(), 0, {}, {}};
      res.set_header("X-Request-Id", tl_note.id);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      std::string message = res.status == 413 ? "the request body is larger than " +
                                                    std::to_string(config.max_body) + " bytes"
                            : res.status == 404 ? "no such resource"
                            : res.status == 400 ? "malformed HTTP request"
                                                : "HTTP " + std::to_string(res.status);
      reply_error(res, res.status, message);
      return httplib::Server::HandlerResponse::Handled;
    }));
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "internal error";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what += std::string(": ") + e.what();
      } catch (...) {
      }
      reply_error(res, 500, what);
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) { on_done(req, res); });

    server.Post("/v1/challenge", httplib::Server::HandlerWithContentReader(
        [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      std::string body;
      if (!read_body(req, res, reader, body)) return;
      const IssuedNonce n = nonces->issue(config.appraiser.clock());
      reply(res, 200, {{"nonce", to_base64(n.nonce)},
                       {"expires", veritee::format_time(n.expires)},
                       {"bindings", {"sha512", "padded"}}});
    }));
    server.Post("/v1/attest", httplib::Server::HandlerWithContentReader(
        [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
      std::string body;
      if (!read_body(req, res, reader, body)) return;
      attest(body, res);
    }));
    server.Get("/.well-known/jwks.json", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "max-age=300");
      res.set_content(snapshot()->jwks, "application/jwk-set+json");
    });
    server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      reply(res, 200, {{"status", "ok"}});
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      auto why = config.ready ? config.ready() : std::nullopt;
      if (why) return reply(res, 503, {{"status", "not ready"}, {"reason", *why}});
      reply(res, 200, {{"status", "ready"}});
    });
    // Known paths with the wrong method: 405 with Allow (RFC 9110 section 15.5.6).
    auto wrong_method = [](const char* allow) {
      return [allow](const httplib::Request& req, httplib::Response& res) {
        res.set_header("Allow", allow);
        reply_error(res, 405, req.method + " is not allowed here; use " + allow);
      };
    };
    for (const char* path : {"/v1/challenge", "/v1/attest"}) {
      server.Get(path, wrong_method("POST"));
      server.Put(path, wrong_method("POST"));
      server.Delete(path, wrong_method("POST"));
      server.Patch(path, wrong_method("POST"));
    }
    for (const char* path : {"/.well-known/jwks.json", "/healthz", "/readyz", "/metrics"}) {
      server.Post(path, wrong_method("GET"));
      server.Put(path, wrong_method("GET"));
      server.Delete(path, wrong_method("GET"));
      server.Patch(path, wrong_method("GET"));
    }
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.render(config.extra_metrics ? config.extra_metrics() : std::string()),
                      "text/plain; version=0.0.4");
    });
  }

  // The request body, read here rather than by httplib so that the limit holds while reading:
  // httplib 0.11 checks payload_max_length only against a Content-Length and reads chunked
  // bodies whole. No Content-Length and no chunked coding: an empty body (RFC 9112 section
  // 6.3), answered at once. Over max_body: 413 and the connection is closed, the rest unread.
  bool read_body(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader,
                 std::string& body) {
    const std::string te = req.get_header_value("Transfer-Encoding");
    const bool chunked = te.find("chunked") != std::string::npos;
    auto too_large = [&] {
      res.set_header("Connection", "close");
      reply_error(res, 413, "the request body is larger than " + std::to_string(config.max_body) + " bytes");
      return false;
    };
    if (!chunked && !req.has_header("Content-Length")) return true;
    if (!chunked) {
      const std::string cl = req.get_header_value("Content-Length");
      if (cl.empty() || cl.size() > 18 || cl.find_first_not_of("0123456789") != std::string::npos) {
        res.set_header("Connection", "close");
        reply_error(res, 400, "malformed Content-Length");
        return false;
      }
      if (std::stoull(cl) > config.max_body) return too_large();
    }
    bool over = false;
    const bool ok = reader([&](const char* data, std::size_t n) {
      if (n > config.max_body - body.size()) {
        over = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    tl_note.bytes_in = body.size();
    if (over) return too_large();
    if (!ok) {
      res.set_header("Connection", "close");
      reply_error(res, 400, "the request body could not be read");
      return false;
    }
    return true;
  }

  void attest(const std::string& request_body, httplib::Response& res) {
    auto submission = parse_submission(request_body);
    if (!submission) return reply_error(res, 400, submission.error().message);
    const auto start = std::chrono::steady_clock::now();
    std::vector<endorse::Provenance> provenance;
    const auto current = snapshot();
    auto result = current->appraiser->appraise(*submission, &provenance);
    for (const auto& p : provenance) metrics.endorsement(p.piece, endorsement_source_kind(p.source));
    if (!result) {
      // Endorsement and server-side failures: the full account (paths, URLs) goes to the log
      // only; the client is told what kind of problem it was.
      const int status = status_for(result.error().code);
      if (status == 400) return reply_error(res, status, result.error().message);
      std::string told = result.error().message == kNonceStoreUnavailable ? result.error().message
                         : status == 422 ? "no VCEK or VLEK for this evidence is available to this verifier; send \"vcek\" or \"cert_table\""
                         : status == 503 ? "AMD KDS is unavailable; try again later or send \"vcek\""
                         : status == 502 ? "an endorsement this verifier obtained is unusable"
                                         : "internal error";
      reply_error(res, status, told);
      tl_note.error = result.error().message;
      return;
    }
    auto token = jws_sign(current->key, ear_claims(*result, config.identity));
    if (!token) return reply_error(res, 500, "signing the result failed: " + token.error().message);
    const std::string status(to_string(result->status));
    metrics.verification(std::chrono::steady_clock::now() - start, status);
    tl_note.ear_status = status;
    reply(res, 200, {{"ear", *token}, {"status", status}});
  }

  // Debian's cpp-httplib 0.11 listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled
  // into the library): a burst of connections overflowed it and the dropped SYNs cost their
  // clients a 1 s retransmission. listen(2) on a listening socket only resizes its backlog.
  void widen_backlog() {
    if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  }

  // One JSON line per request: never the body (evidence bytes stay out of logs).
  void on_done(const httplib::Request& req, const httplib::Response& res) {
    const std::string route = route_label(req.path);
    metrics.request(route, res.status);
    const char* level = res.status >= 500 ? "error" : res.status >= 400 ? "warn" : "info";
    std::string line = "{\"time\":" + json_escape(veritee::format_time(std::chrono::system_clock::now())) +
                       ",\"level\":\"" + level + "\"" +
                       (tl_note.id.empty() ? std::string() : ",\"id\":" + json_escape(tl_note.id)) +
                       ",\"remote\":" + json_escape(req.remote_addr) +
                       ",\"method\":" + json_escape(req.method) + ",\"path\":" + json_escape(route) +
                       ",\"status\":" + std::to_string(res.status) +
                       ",\"bytes_in\":" + std::to_string(tl_note.bytes_in);
    if (tl_note.start) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - *tl_note.start).count();
      line += ",\"ms\":" + std::to_string(static_cast<double>(us) / 1000.0);
    }
    if (!tl_note.ear_status.empty()) line += ",\"ear_status\":" + json_escape(tl_note.ear_status);
    if (!tl_note.error.empty()) line += ",\"error\":" + json_escape(tl_note.error);
    line += "}";
    tl_note = RequestNote{};
    log(line);
  }
};

Result<std::unique_ptr<VerifierService>> VerifierService::create(ServiceConfig config) {
  if (!config.key) return fail(Errc::kInvalidInput, "the verifier service needs a signing key");
  if (!config.appraiser.endorsements) {
    return fail(Errc::kInvalidInput, "the verifier service needs an endorsement source");
  }
  return std::unique_ptr<VerifierService>(new VerifierService(std::move(config)));
}

VerifierService::VerifierService(ServiceConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

VerifierService::~VerifierService() {
  stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<void> VerifierService::bind() {
  auto& c = impl_->config;
  int port = c.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(c.host);
    if (port <= 0) return fail(Errc::kIo, "cannot listen on " + c.host + " (any port)");
  } else if (!impl_->server.bind_to_port(c.host, port)) {
    return fail(Errc::kIo, "cannot listen on " + c.host + ":" + std::to_string(port));
  }
  impl_->port = port;
  impl_->widen_backlog();
  return {};
}

int VerifierService::port() const { return impl_->port; }

void VerifierService::run() {
  // httplib's stop() only acts on a running server: a stop() that came before the accept loop
  // started is applied as soon as it has.
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done && !impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (impl_->stop_requested) impl_->server.stop();
  });
  if (!impl_->stop_requested) impl_->server.listen_after_bind();
  done = true;
  watcher.join();
}

Result<void> VerifierService::start() {
  if (auto ok = bind(); !ok) return ok;
  impl_->thread = std::thread([this] { run(); });
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return {};
}

void VerifierService::reload(SigningKey key, std::vector<SigningKey> published,
                             verify::AppraisalPolicy policy) {
  AppraiserConfig a = impl_->config.appraiser;
  a.policy = std::move(policy);
  impl_->set_keys(std::move(key), published, a);
}

void VerifierService::stop() {
  impl_->stop_requested = true;
  impl_->server.stop();
}

}  // namespace veritee::rats
