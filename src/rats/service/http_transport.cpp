// The transport over cpp-httplib (thread-per-connection on the bounded pool): every request goes
// through one pre-routing handler into the Router; bodies of POST/PUT/PATCH are read here with
// the limit enforced while reading.
#include "rats/service/http_transport.hpp"

#include <sys/socket.h>

#include <atomic>
#include <thread>

#include <httplib.h>

#include "rats/service/bounded_pool.hpp"

namespace veritee::rats::detail {

struct HttpTransport::Impl {
  TransportConfig config;
  TransportHooks hooks;
  httplib::Server server;
  std::atomic<int> port{0};
  std::atomic<bool> stop_requested{false};
  std::atomic<std::size_t> in_flight{0};
  int listen_fd = -1;

  struct Pending {
    HttpRequest request;
    std::chrono::steady_clock::time_point start;
    HttpResponse response;
    bool counted = false;  // in in_flight
  };
  static thread_local Pending tl;

  Impl(TransportConfig c, TransportHooks h) : config(std::move(c)), hooks(std::move(h)) { setup(); }

  static HttpRequest to_request(const httplib::Request& req) {
    HttpRequest r;
    r.method = req.method;
    r.path = req.path;
    for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
    r.peer = req.remote_addr;
    return r;
  }

  void send(httplib::Response& res, HttpResponse response) {
    response.headers.emplace_back("X-Request-Id", tl.request.id);
    if (response.close) response.headers.emplace_back("Connection", "close");
    res.status = response.status;
    for (const auto& [k, v] : response.headers) res.set_header(k, v);
    res.set_content(response.body, response.content_type.c_str());
    tl.response = std::move(response);
  }

  void setup() {
    const std::size_t threads = std::max<std::size_t>(1, config.threads);
    const std::size_t queue = std::max<std::size_t>(1, config.queue);
    server.new_task_queue = [threads, queue] { return new BoundedPool(threads, queue); };
    server.set_payload_max_length(config.max_body);
    server.set_read_timeout(config.read_timeout);
    server.set_write_timeout(config.read_timeout);
    server.set_keep_alive_timeout(2);
    server.set_keep_alive_max_count(100);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    // the peer's delayed ACK add ~40 ms to every response (RFC 1122 section 4.2.3.2).
    server.set_tcp_nodelay(true);
    server.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_fd = sock;
    });
    // Every request starts here: an id, then the router's verdict on its request line.
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      ++in_flight;
      tl = Pending{to_request(req), std::chrono::steady_clock::now(), {}, true};
      tl.request.id = hooks.new_id();
      if (hooks.admit) {
        if (auto refused = hooks.admit(tl.request)) {
          send(res, std::move(*refused));
          return httplib::Server::HandlerResponse::Handled;
        }
      }
      auto m = hooks.router->match(req.method, req.path);
      if (!m.handler) {
        m.refusal.close = m.takes_body;  // its body stays unread
        send(res, std::move(m.refusal));
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!m.takes_body) {
        send(res, Router::run(*m.handler, tl.request));
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;  // the body readers below
    });
    auto with_body = httplib::Server::HandlerWithContentReader(
        [this](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
          if (auto refused = read_body(req, reader, tl.request.body)) return send(res, std::move(*refused));
          auto m = hooks.router->match(req.method, req.path);
          send(res, Router::run(*m.handler, tl.request));
        });
    server.Post(".*", with_body);
    server.Put(".*", with_body);
    server.Patch(".*", with_body);
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          std::string message = res.status == 413   ? body_limit_message(config.max_body)
                                : res.status == 404 ? "no such resource"
                                : res.status == 400 ? "malformed HTTP request"
                                                    : "HTTP " + std::to_string(res.status);
          if (tl.request.id.empty()) tl.request.id = hooks.new_id();
          send(res, HttpResponse::error(res.status, message));
          return httplib::Server::HandlerResponse::Handled;
        }));
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (tl.request.method.empty()) tl.request = to_request(req);
      tl.response.status = res.status;
      if (hooks.done) hooks.done(tl.request, tl.response, tl.start);
      if (tl.counted) --in_flight;
      tl = Pending{};
    });
  }

  // The request body, read here rather than by httplib so that the limit holds while reading:
  // httplib 0.11 checks payload_max_length only against a Content-Length and reads chunked
  // bodies whole. No Content-Length and no chunked coding: an empty body (RFC 9112 section
  // 6.3), answered at once. Over max_body: 413 and the connection is closed, the rest unread.
  std::optional<HttpResponse> read_body(const httplib::Request& req, const httplib::ContentReader& reader,
                                        std::string& body) {
    const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    auto refuse = [&](int status, const std::string& message) {
      HttpResponse r = HttpResponse::error(status, message);
      r.close = true;
      return r;
    };
    if (!chunked && !req.has_header("Content-Length")) return std::nullopt;
    if (!chunked) {
      const std::string cl = req.get_header_value("Content-Length");
      if (cl.empty() || cl.size() > 18 || cl.find_first_not_of("0123456789") != std::string::npos) {
        return refuse(400, "malformed Content-Length");
      }
      if (std::stoull(cl) > config.max_body) return refuse(413, body_limit_message(config.max_body));
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
    if (over) return refuse(413, body_limit_message(config.max_body));
    if (!ok) return refuse(400, "the request body could not be read");
    return std::nullopt;
  }
};

thread_local HttpTransport::Impl::Pending HttpTransport::Impl::tl;

HttpTransport::HttpTransport(TransportConfig config, TransportHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(hooks))) {}

HttpTransport::~HttpTransport() { stop(); }

Result<void> HttpTransport::bind() {
  auto& c = impl_->config;
  int port = c.port;
  if (port == 0) {
    port = impl_->server.bind_to_any_port(c.host);
    if (port <= 0) return fail(Errc::kIo, "cannot listen on " + c.host + " (any port)");
  } else if (!impl_->server.bind_to_port(c.host, port)) {
    return fail(Errc::kIo, "cannot listen on " + c.host + ":" + std::to_string(port));
  }
  impl_->port = port;
  // Debian's cpp-httplib 0.11 listens with a backlog of 5: listen(2) again only resizes it.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  return {};
}

int HttpTransport::port() const { return impl_->port; }

void HttpTransport::run() {
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

void HttpTransport::stop() {
  impl_->stop_requested = true;
  impl_->server.stop();
}

bool HttpTransport::running() const { return impl_->server.is_running(); }

TransportStats HttpTransport::stats() const {
  TransportStats s;
  s.in_flight = impl_->in_flight;
  return s;
}

}  // namespace veritee::rats::detail
