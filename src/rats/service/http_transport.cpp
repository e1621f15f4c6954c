// The transport over GNU libmicrohttpd (docs/service.md, "Slow and idle clients"): one internal
// epoll thread owns every connection, so idle and slow clients cost a file descriptor and a
// small memory pool each, never a thread. Handlers that may block (RouteCost::kWorker) run on
// the bounded worker pool while their connection is suspended; the poll thread never waits.
//
// Limits, all enforced by libmicrohttpd or by the reaper below:
//   connections          MHD_OPTION_CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT
//   idle/read timeout    MHD_OPTION_CONNECTION_TIMEOUT (no byte for that long: closed)
//   header size          MHD_OPTION_CONNECTION_MEMORY_LIMIT (over it: 413/414/431, closed)
//   whole request        the reaper: a connection still reading its request this long after it
//                        opened (or after its previous response) is shut down, however slowly
//                        its bytes trickle in
//   body                 Content-Length over the limit: 413 before the body; a chunked body
//                        that passes the limit: 413 as soon as it does, the rest unread
#include "rats/service/http_transport.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "rats/service/bounded_pool.hpp"
#include "rats/service/microhttpd_api.hpp"

namespace veritee::rats::detail {
using Clock = std::chrono::steady_clock;

// One TCP connection, for the whole-request deadline (socket_context of MHD_NOTIFY_CONNECTION).
// Outside the anonymous namespace: HttpTransport::Impl holds these.
struct Conn {
  int fd = -1;
  Clock::time_point since;  // connection opened, or its previous response completed
  bool reading = true;      // still receiving a request (not with a worker, not answering)
  bool has_request = false; // the request's headers have arrived
  bool reaped = false;
};

namespace {

// One request (the access handler's con_cls).
struct Req {
  MHD_Connection* connection = nullptr;
  HttpRequest request;
  Clock::time_point start;
  const HttpHandler* handler = nullptr;
  RouteCost cost = RouteCost::kInline;
  bool takes_body = false;
  bool dispatched = false;
  std::optional<HttpResponse> response;  // to queue (set by the poll thread or by a worker)
  HttpResponse sent;                     // what went out, for the log line
  bool answered = false;
};

std::string peer_of(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = microhttpd()->get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return {};
  char buf[INET6_ADDRSTRLEN] = {};
  const sockaddr* sa = info->client_addr;
  if (sa->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(cls);
  if (headers->size() < 200) headers->emplace_back(key ? key : "", value ? value : "");
  return MHD_YES;
}

const char* reason(int status) {
  switch (status) {
    case 413: return "Content Too Large";
    default: return "Error";
  }
}

}  // namespace

struct HttpTransport::Impl {
  TransportConfig config;
  TransportHooks hooks;
  int listen_fd = -1;
  int bound_port = 0;
  MHD_Daemon* daemon = nullptr;
  std::unique_ptr<BoundedPool> pool;

  std::mutex mutex;  // guards the state below, conns, and the Conn objects' fields
  std::condition_variable changed;
  bool stop_requested = false;
  bool serving = false;
  bool draining = false;
  std::map<MHD_Connection*, Conn*> conns;
  std::size_t in_flight = 0;
  std::thread reaper;

  Impl(TransportConfig c, TransportHooks h) : config(std::move(c)), hooks(std::move(h)) {}

  // The tracked connection (the mutex held); null once it is closing.
  Conn* conn_of(MHD_Connection* c) {
    auto it = conns.find(c);
    return it == conns.end() ? nullptr : it->second;
  }

  void note(const std::string& message) {
    if (hooks.note) hooks.note(message);
  }

  Result<void> bind() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string where = config.host + ":" + std::to_string(config.port);
    const std::string port = std::to_string(config.port);
    if (int rc = ::getaddrinfo(config.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
      return fail(Errc::kIo, "cannot listen on " + where + ": " + ::gai_strerror(rc));
    }
    std::string why = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
      int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int yes = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        bound_port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
        listen_fd = fd;
        break;
      }
      why = std::strerror(errno);
      ::close(fd);
    }
    ::freeaddrinfo(found);
    if (listen_fd < 0) return fail(Errc::kIo, "cannot listen on " + where + ": " + why);
    // The daemon starts here, so that a bad TLS certificate is an error of bind(), not a
    // silent stop; connections wait in the backlog until then.
    if (auto ok = start_daemon(); !ok) {
      ::close(listen_fd);
      listen_fd = -1;
      return ok;
    }
    std::lock_guard lock(mutex);
    serving = true;
    reaper = std::thread([this] { reap(); });
    return {};
  }

  Result<void> start_daemon() {
    if (!microhttpd()) return std::unexpected(microhttpd().error());  // loaded on first use
    pool = std::make_unique<BoundedPool>(std::max<std::size_t>(1, config.threads), std::max<std::size_t>(1, config.queue));
    const bool tls = !config.tls_cert_pem.empty() && !config.tls_key_pem.empty();
    if (tls && microhttpd()->is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
      return fail(Errc::kInvalidInput, "this libmicrohttpd was built without TLS");
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (tls) flags |= MHD_USE_TLS;
    const unsigned int idle = static_cast<unsigned int>(
        std::max<long>(1, static_cast<long>((config.read_timeout.count() + 999) / 1000)));
    std::vector<MHD_OptionItem> options = {
        {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&Impl::mhd_log), this},  // first
        {MHD_OPTION_LISTEN_SOCKET, listen_fd, nullptr},
        {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(config.max_connections), nullptr},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(config.max_connections_per_ip), nullptr},
        {MHD_OPTION_CONNECTION_TIMEOUT, idle, nullptr},
        // Request line and headers must fit in 32 KiB (bodies are never buffered by MHD).
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, nullptr},
        {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&Impl::completed), this},
        {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&Impl::connection), this},
    };
    if (tls) {
      options.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(config.tls_cert_pem.c_str())});
      options.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(config.tls_key_pem.c_str())});
      // TLS 1.2 and 1.3 only (GnuTLS priority string).
      options.push_back({MHD_OPTION_HTTPS_PRIORITIES, 0,
                         const_cast<char*>("NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE")});
    }
    options.push_back({MHD_OPTION_END, 0, nullptr});
    daemon = microhttpd()->start_daemon(flags, 0, nullptr, nullptr, &Impl::access, this, MHD_OPTION_ARRAY, options.data(),
                              MHD_OPTION_END);
    if (!daemon && tls) return fail(Errc::kInvalidInput, "the HTTPS server could not start: are the certificate and key valid PEM, and a pair?");
    if (!daemon) return fail(Errc::kIo, "the HTTP server could not start");
    return {};
  }

  // ------------------------------------------------------------------ libmicrohttpd callbacks

  static void mhd_log(void* cls, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    static_cast<Impl*>(cls)->note(s);
  }

  static void connection(void* cls, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<Impl*>(cls);
    std::lock_guard lock(self->mutex);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* conn = new Conn;
      const MHD_ConnectionInfo* info = microhttpd()->get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
      conn->fd = info ? info->connect_fd : -1;
      conn->since = Clock::now();
      *socket_context = conn;
      self->conns[c] = conn;
    } else {
      // Called before libmicrohttpd closes the socket: after this the reaper never touches it.
      self->conns.erase(c);
      delete static_cast<Conn*>(*socket_context);
      *socket_context = nullptr;
    }
    self->changed.notify_all();
  }

  static MHD_Result access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                           const char* upload_data, std::size_t* upload_data_size, void** con_cls) {
    auto* self = static_cast<Impl*>(cls);
    if (!*con_cls) return self->begin(c, url, method, con_cls);
    auto* req = static_cast<Req*>(*con_cls);
    if (*upload_data_size > 0) {
      if (req->response) {  // refused early: discard (libmicrohttpd stops reading)
        *upload_data_size = 0;
        return MHD_YES;
      }
      if (*upload_data_size > self->config.max_body - req->request.body.size()) return self->too_large_now(c, req);
      req->request.body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    return self->complete(c, req);
  }

  static void completed(void* cls, MHD_Connection* c, void** con_cls, MHD_RequestTerminationCode) {
    auto* self = static_cast<Impl*>(cls);
    auto* req = static_cast<Req*>(*con_cls);
    if (!req) return;
    *con_cls = nullptr;
    if (req->answered && self->hooks.done) self->hooks.done(req->request, req->sent, req->start);
    {
      std::lock_guard lock(self->mutex);
      if (Conn* conn = self->conn_of(c)) {
        conn->reading = true;
        conn->has_request = false;
        conn->since = Clock::now();
      }
      --self->in_flight;
    }
    self->changed.notify_all();
    delete req;
  }

  // ------------------------------------------------------------------ one request

  MHD_Result begin(MHD_Connection* c, const char* url, const char* method, void** con_cls) {
    auto* req = new Req;
    *con_cls = req;
    req->start = Clock::now();
    req->request.method = method ? method : "";
    req->request.path = url ? url : "";
    microhttpd()->get_connection_values(c, MHD_HEADER_KIND, &collect_header, &req->request.headers);
    req->request.peer = peer_of(c);
    req->request.id = hooks.new_id();
    {
      std::lock_guard lock(mutex);
      ++in_flight;
      req->connection = c;
      if (Conn* conn = conn_of(c)) conn->has_request = true;
    }
    auto m = hooks.router->match(req->request.method, req->request.path);
    req->takes_body = m.takes_body;
    const bool has_body = !req->request.header("Content-Length").empty() ||
                          !req->request.header("Transfer-Encoding").empty();
    if (hooks.admit) {
      if (auto refused = hooks.admit(req->request)) {
        refused->close = refused->close || has_body;
        return answer(c, req, std::move(*refused));
      }
    }
    if (!m.handler) {
      m.refusal.close = has_body;  // its body stays unread
      return answer(c, req, std::move(m.refusal));
    }
    req->handler = m.handler;
    req->cost = m.cost;
    const std::string length = req->request.header("Content-Length");
    if (!length.empty()) {
      // libmicrohttpd has checked the syntax (it answers 400 to a malformed one).
      errno = 0;
      const unsigned long long n = std::strtoull(length.c_str(), nullptr, 10);
      if (errno != 0 || n > config.max_body) return answer(c, req, too_large());
    }
    return MHD_YES;
  }

  HttpResponse too_large() const {
    HttpResponse r = HttpResponse::error(413, body_limit_message(config.max_body));
    r.close = true;
    return r;
  }

  // A chunked body passed the limit. libmicrohttpd 0.9.75 takes a response only before the
  // body is read or after all of it (MHD_queue_response refuses in between), so the fixed 413 is
  // written straight to the socket (or the TLS session) and the connection is closed unread.
  MHD_Result too_large_now(MHD_Connection* c, Req* req) {
    HttpResponse r = too_large();
    std::string wire = "HTTP/1.1 413 " + std::string(reason(413)) + "\r\nConnection: close\r\nContent-Type: " +
                       r.content_type + "\r\nContent-Length: " + std::to_string(r.body.size()) +
                       "\r\nX-Request-Id: " + req->request.id + "\r\n\r\n" + r.body;
    const MHD_ConnectionInfo* tls = microhttpd()->get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    const MHD_ConnectionInfo* fd = microhttpd()->get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (tls && tls->tls_session) {
      auto session = static_cast<gnutls_session_t>(tls->tls_session);
      (void)microhttpd()->gnutls_record_send(session, wire.data(), wire.size());
    } else if (fd) {
      (void)::send(fd->connect_fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      // Let the response reach the client before the close: half-close, then drop what is
      // already queued for reading (a close with unread data sends a reset instead).
      ::shutdown(fd->connect_fd, SHUT_WR);
      char sink[16384];
      for (int i = 0; i < 64 && ::recv(fd->connect_fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
      }
    }
    req->sent = std::move(r);
    req->answered = true;
    req->response.emplace();  // nothing more for this request
    return MHD_NO;
  }

  MHD_Result complete(MHD_Connection* c, Req* req) {
    if (req->response) return queue(c, req);
    if (req->dispatched) return MHD_YES;  // resumed spuriously; the worker is not done
    {
      std::lock_guard lock(mutex);
      if (Conn* conn = conn_of(c)) conn->reading = false;
    }
    if (req->cost == RouteCost::kInline) return answer(c, req, Router::run(*req->handler, req->request));
    req->dispatched = true;
    microhttpd()->suspend_connection(c);
    const bool queued = pool->try_enqueue([c, req] {
      req->response = Router::run(*req->handler, req->request);
      microhttpd()->resume_connection(c);
    });
    if (!queued) {
      microhttpd()->resume_connection(c);
      req->dispatched = false;
      HttpResponse busy = HttpResponse::error(503, "the verifier is busy; try again shortly");
      busy.headers.emplace_back("Retry-After", "1");
      req->response = std::move(busy);
    }
    return MHD_YES;
  }

  MHD_Result answer(MHD_Connection* c, Req* req, HttpResponse response) {
    req->response = std::move(response);
    return queue(c, req);
  }

  MHD_Result queue(MHD_Connection* c, Req* req) {
    HttpResponse& r = *req->response;
    {
      std::lock_guard lock(mutex);
      if (draining) r.close = true;
    }
    MHD_Response* out = microhttpd()->create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
    if (!out) return MHD_NO;
    for (const auto& [k, v] : r.headers) microhttpd()->add_response_header(out, k.c_str(), v.c_str());
    microhttpd()->add_response_header(out, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
    microhttpd()->add_response_header(out, "X-Request-Id", req->request.id.c_str());
    if (r.close) microhttpd()->add_response_header(out, MHD_HTTP_HEADER_CONNECTION, "close");
    const MHD_Result ok = microhttpd()->queue_response(c, static_cast<unsigned int>(r.status), out);
    microhttpd()->destroy_response(out);
    req->sent = std::move(r);
    req->answered = ok == MHD_YES;
    return ok;
  }

  // ------------------------------------------------------------------ deadline and drain

  // Shuts down connections that are still reading a request past the deadline (or, while
  // draining, any connection that has not started a request). shutdown(2) makes
  // libmicrohttpd see the end of the stream and close the connection itself; it runs under the
  // mutex that the close notification takes, so the descriptor is still that connection's.
  void reap() {
    std::unique_lock lock(mutex);
    while (serving) {
      const auto now = Clock::now();
      for (auto& [c, conn] : conns) {
        if (conn->reaped || !conn->reading || conn->fd < 0) continue;
        const bool late = now - conn->since > config.request_deadline;
        const bool idle_while_draining = draining && !conn->has_request;
        if (late || idle_while_draining) {
          ::shutdown(conn->fd, SHUT_RDWR);
          conn->reaped = true;
        }
      }
      changed.wait_for(lock, std::chrono::milliseconds(200));
    }
  }

  void run() {
    if (!daemon) return;
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return stop_requested; });
    lock.unlock();
    shut_down();
  }

  // Drain: stop accepting, close connections that hold no request, let in-flight requests
  // finish (bounded by drain_timeout), then stop. Once.
  void shut_down() {
    std::call_once(shut_down_once, [this] { drain_and_stop(); });
  }
  std::once_flag shut_down_once;

  void drain_and_stop() {
    if (!daemon) return;
    std::unique_lock lock(mutex);
    // Drain: stop accepting, close connections that hold no request, let in-flight requests
    // finish (bounded by drain_timeout), then stop.
    draining = true;
    lock.unlock();
    microhttpd()->quiesce_daemon(daemon);
    changed.notify_all();
    lock.lock();
    changed.wait_for(lock, config.drain_timeout, [&] { return in_flight == 0; });
    lock.unlock();
    pool->shutdown();  // runs what is queued; every suspended connection is resumed
    microhttpd()->stop_daemon(daemon);
    daemon = nullptr;
    lock.lock();
    serving = false;
    draining = false;
    lock.unlock();
    changed.notify_all();
    if (reaper.joinable()) reaper.join();
  }

  void stop() {
    {
      std::lock_guard lock(mutex);
      stop_requested = true;
    }
    changed.notify_all();
  }
};

HttpTransport::HttpTransport(TransportConfig config, TransportHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(hooks))) {}

HttpTransport::~HttpTransport() {
  stop();
  impl_->shut_down();  // when run() never ran
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
}

Result<void> HttpTransport::bind() { return impl_->bind(); }

int HttpTransport::port() const { return impl_->bound_port; }

void HttpTransport::run() { impl_->run(); }

void HttpTransport::stop() { impl_->stop(); }

bool HttpTransport::running() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->serving || impl_->stop_requested;
}

TransportStats HttpTransport::stats() const {
  TransportStats s;
  {
    std::lock_guard lock(impl_->mutex);
    s.connections = impl_->conns.size();
    s.in_flight = impl_->in_flight;
  }
  if (impl_->pool) s.queued = impl_->pool->queued();
  return s;
}

}  // namespace veritee::rats::detail
