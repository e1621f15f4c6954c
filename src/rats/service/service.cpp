// The verifier service: its routes (one registration a line), the appraisal handler, one log
// line per request, metrics (docs/service.md). HTTP itself is the transport's
// (http_transport.hpp).
#include "veritee/rats/service.hpp"

#include <atomic>
#include <iostream>
#include <mutex>

#include "rats/service/client_rate.hpp"
#include "rats/service/http_transport.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/metrics.hpp"

namespace veritee::rats {
namespace {

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

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

// The inspector's responses: its Content-Security-Policy, no sniffing, no framing, no caching.
HttpResponse with_inspector_headers(HttpResponse r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kInspectorCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

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
  InspectConfig inspector;
  Metrics metrics;
  Router router;
  std::unique_ptr<detail::HttpTransport> transport;
  std::unique_ptr<detail::ClientRateLimit> rate_limit;
  std::thread thread;
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
    if (config.key) set_keys(*config.key, config.published, config.appraiser);
    inspector = inspect_config(config.appraiser, config.exit_code_of);
    if (config.inspect_only) inspector.policy = nullptr;
    add_routes();
    if (config.routes) config.routes(router);

    detail::TransportConfig t;
    t.host = config.host;
    t.port = config.port;
    t.threads = std::max<std::size_t>(1, config.threads);
    t.queue = std::max<std::size_t>(1, config.queue);
    t.max_body = config.max_body;
    t.read_timeout = config.read_timeout;
    t.request_deadline = config.request_deadline;
    t.max_connections = config.max_connections;
    t.max_connections_per_ip = config.max_connections_per_ip;
    t.drain_timeout = config.drain_timeout;
    t.tls_cert_pem = config.tls_cert_pem;
    t.tls_key_pem = config.tls_key_pem;
    if (config.client_rate > 0) {
      rate_limit = std::make_unique<detail::ClientRateLimit>(
          config.client_rate, config.client_burst > 0 ? config.client_burst : std::max(1.0, config.client_rate));
    }
    detail::TransportHooks hooks;
    hooks.router = &router;
    hooks.new_id = [this] { return next_request_id(); };
    hooks.admit = [this](const HttpRequest& req) { return admit(req); };
    hooks.done = [this](const HttpRequest& req, const HttpResponse& res, std::chrono::steady_clock::time_point start) {
      on_done(req, res, start);
    };
    hooks.note = [this](const std::string& message) {
      log("{\"time\":" + json_escape(veritee::format_time(std::chrono::system_clock::now())) +
          ",\"level\":\"warn\",\"event\":\"http\",\"message\":" + json_escape(message) + "}");
    };
    transport = std::make_unique<detail::HttpTransport>(std::move(t), std::move(hooks));
  }

  void log(std::string_view line) {
    if (config.log) return config.log(line);
    std::lock_guard lock(log_mutex);
    std::cerr << line << '\n';
  }

  // The service's routes; wrong methods on them are 405 with Allow (the router's doing).
  void add_routes() {
    router.post("/v1/challenge", [this](const HttpRequest&) { return challenge(); });
    router.post("/v1/attest", [this](const HttpRequest& req) { return attest(req.body); });
    router.get("/.well-known/jwks.json", [this](const HttpRequest&) {
      const auto current = snapshot();  // none in inspect-only mode: no keys to publish
      auto r = HttpResponse::text(200, current ? current->jwks : std::string("{\"keys\":[]}"),
                                  "application/jwk-set+json");
      r.headers.emplace_back("Cache-Control", "max-age=300");
      return r;
    });
    router.get("/healthz", [](const HttpRequest&) { return HttpResponse::json(200, {{"status", "ok"}}); });
    router.get("/readyz", [this](const HttpRequest&) {
      auto why = config.ready ? config.ready() : std::nullopt;
      nlohmann::json body = config.readiness ? config.readiness() : nlohmann::json::object();
      body["status"] = why ? "not ready" : "ready";
      if (why) body["reason"] = *why;
      return HttpResponse::json(why ? 503 : 200, body);
    });
    router.get("/metrics", [this](const HttpRequest&) {
      return HttpResponse::text(200, metrics.render(extra_metrics()), "text/plain; version=0.0.4");
    });
    // The report inspector (inspect.hpp): its page, and evidence decoded and verified. The
    // answer is never logged (the log line has the status and size only).
    for (const char* path : {"/", "/inspector.js", "/inspector.css"}) {
      router.get(path, [](const HttpRequest& req) {
        const auto asset = inspector_asset(req.path).value();
        return with_inspector_headers(
            HttpResponse::text(200, std::string(asset.body), std::string(asset.content_type)));
      });
    }
    router.post("/v1/inspect", [this](const HttpRequest& req) {
      // The policy of the current snapshot, so a SIGHUP reload reaches the inspector too.
      const auto current = snapshot();
      InspectConfig with_policy = inspector;
      if (current && !config.inspect_only) with_policy.policy = &current->appraiser->config().policy;
      const InspectReply r = inspect(req.body, with_policy);
      return with_inspector_headers(HttpResponse::text(r.status, r.body, "application/json"));
    });
  }

  // The per-client-address rate limit; health, readiness and metrics are never limited.
  std::optional<HttpResponse> admit(const HttpRequest& req) {
    // `veritee inspect`: the page, /v1/inspect and /healthz only.
    if (config.inspect_only && !inspector_asset(req.path) && req.path != "/v1/inspect" &&
        req.path != "/healthz") {
      return HttpResponse::error(404, "no such resource");
    }
    if (!rate_limit || req.path == "/healthz" || req.path == "/readyz" || req.path == "/metrics") return std::nullopt;
    auto wait = rate_limit->take(req.peer, std::chrono::steady_clock::now());
    if (!wait) return std::nullopt;
    HttpResponse r = HttpResponse::error(429, "too many requests from this address; retry after " +
                                                  std::to_string(*wait) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(*wait));
    return r;
  }

  // The service's own gauges and build, then what the embedding program adds.
  std::string extra_metrics() {
    const auto s = transport->stats();
    std::string out =
        "# HELP veritee_build_info The veritee version serving (always 1).\n"
        "# TYPE veritee_build_info gauge\n"
        "veritee_build_info{version=\"" VERITEE_VERSION "\",http=\"libmicrohttpd\"} 1\n"
        "# HELP veritee_http_connections Open client connections.\n"
        "# TYPE veritee_http_connections gauge\n"
        "veritee_http_connections " + std::to_string(s.connections) + "\n"
        "# HELP veritee_http_in_flight Requests received and not yet answered.\n"
        "# TYPE veritee_http_in_flight gauge\n"
        "veritee_http_in_flight " + std::to_string(s.in_flight) + "\n"
        "# HELP veritee_http_queued Requests waiting for a worker thread.\n"
        "# TYPE veritee_http_queued gauge\n"
        "veritee_http_queued " + std::to_string(s.queued) + "\n";
    if (auto* hmac = dynamic_cast<HmacNonces*>(nonces.get())) {
      out += "# HELP veritee_nonces_redeemed Redeemed nonces remembered against replay.\n"
             "# TYPE veritee_nonces_redeemed gauge\n"
             "veritee_nonces_redeemed " + std::to_string(hmac->replay_size()) + "\n";
    }
    if (rate_limit) {
      out += "# HELP veritee_rate_limited_clients Client addresses tracked by the rate limit.\n"
             "# TYPE veritee_rate_limited_clients gauge\n"
             "veritee_rate_limited_clients " + std::to_string(rate_limit->clients()) + "\n";
    }
    if (config.extra_metrics) out += config.extra_metrics();
    return out;
  }

  HttpResponse challenge() {
    const auto now = config.appraiser.clock();
    // A fleet's shared replay set out of reach: no nonce that could not be checked later.
    if (auto ready = nonces->ready_to_issue(now); !ready) {
      HttpResponse r = HttpResponse::error(503, "the shared nonce store is unavailable, so no nonce can be issued; try again later");
      r.headers.emplace_back("Retry-After", "1");
      r.log_error = ready.error().message;
      return r;
    }
    const IssuedNonce n = nonces->issue(now);
    return HttpResponse::json(200, {{"nonce", to_base64(n.nonce)},
                                    {"expires", veritee::format_time(n.expires)},
                                    {"bindings", {"sha512", "padded"}}});
  }

  HttpResponse attest(const std::string& request_body) {
    auto submission = parse_submission(request_body);
    if (!submission) return HttpResponse::error(400, submission.error().message);
    const auto start = std::chrono::steady_clock::now();
    std::vector<endorse::Provenance> provenance;
    const auto current = snapshot();
    auto result = current->appraiser->appraise(*submission, &provenance);
    for (const auto& p : provenance) metrics.endorsement(p.piece, endorsement_source_kind(p.origin));
    if (!result) {
      // Endorsement and server-side failures: the full account (paths, URLs) goes to the log
      // only; the client is told what kind of problem it was.
      const int status = status_for(result.error().code);
      if (status == 400) return HttpResponse::error(status, result.error().message);
      const bool quote = submission->quote.has_value();  // DCAP: collateral from Intel PCS
      std::string told = result.error().message == kNonceStoreUnavailable ? result.error().message
                         : status == 422 && quote ? "no collateral for this quote is available to this verifier; send \"collateral\""
                         : status == 422 ? "no VCEK or VLEK for this evidence is available to this verifier; send \"vcek\" or \"cert_table\""
                         : status == 503 && quote ? "the collateral for this quote is not held yet (it is fetched from Intel PCS in the background); try again later or send \"collateral\""
                         : status == 503 ? "AMD KDS is unavailable; try again later or send \"vcek\""
                         : status == 502 ? "an endorsement this verifier obtained is unusable"
                                         : "internal error";
      HttpResponse r = HttpResponse::error(status, told);
      // Unavailable now, not refused: what is missing is being fetched in the background.
      if (status == 503) r.headers.emplace_back("Retry-After", "1");
      r.log_error = result.error().message;
      return r;
    }
    auto token = jws_sign(current->key, ear_claims(*result, config.identity));
    if (!token) return HttpResponse::error(500, "signing the result failed: " + token.error().message);
    const std::string status(to_string(result->status));
    metrics.verification(std::chrono::steady_clock::now() - start, status);
    HttpResponse r = HttpResponse::json(200, {{"ear", *token}, {"status", status}});
    r.ear_status = status;
    return r;
  }

  // One JSON line per request: never the body (evidence bytes stay out of logs).
  void on_done(const HttpRequest& req, const HttpResponse& res, std::chrono::steady_clock::time_point start) {
    const std::string route = router.label(req.path);
    metrics.request(route, res.status);
    const char* level = res.status >= 500 ? "error" : res.status >= 400 ? "warn" : "info";
    std::string line = "{\"time\":" + json_escape(veritee::format_time(std::chrono::system_clock::now())) +
                       ",\"level\":\"" + level + "\"" +
                       (req.id.empty() ? std::string() : ",\"id\":" + json_escape(req.id)) +
                       ",\"remote\":" + json_escape(req.peer) +
                       ",\"method\":" + json_escape(req.method) + ",\"path\":" + json_escape(route) +
                       ",\"status\":" + std::to_string(res.status) +
                       ",\"bytes_in\":" + std::to_string(req.body.size());
    if (start != std::chrono::steady_clock::time_point{}) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start).count();
      line += ",\"ms\":" + std::to_string(static_cast<double>(us) / 1000.0);
    }
    if (!res.ear_status.empty()) line += ",\"ear_status\":" + json_escape(res.ear_status);
    if (!res.log_error.empty()) line += ",\"error\":" + json_escape(res.log_error);
    line += "}";
    log(line);
  }
};

Result<std::unique_ptr<VerifierService>> VerifierService::create(ServiceConfig config) {
  if (!config.key && !config.inspect_only) {
    return fail(Errc::kInvalidInput, "the verifier service needs a signing key");
  }
  if (!config.appraiser.endorsements && !config.inspect_only) {
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

Result<void> VerifierService::bind() { return impl_->transport->bind(); }

int VerifierService::port() const { return impl_->transport->port(); }

void VerifierService::run() { impl_->transport->run(); }

Result<void> VerifierService::start() {
  if (auto ok = bind(); !ok) return ok;
  impl_->thread = std::thread([this] { run(); });
  for (int i = 0; i < 5000 && !impl_->transport->running(); ++i) {
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

void VerifierService::stop() { impl_->transport->stop(); }

}  // namespace veritee::rats
