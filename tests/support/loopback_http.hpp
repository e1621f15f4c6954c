// A cpp-httplib server on 127.0.0.1 at a free port, answering every GET through one handler on
// its own thread: what the tests' stand-ins for AMD KDS (tests/endorse/mock_kds.hpp) and Intel
// PCS (tests/tdx/fake_pcs.hpp) serve through. Header-only: include it only from test sources
// built with cpp-httplib's flags (veritee_endorse_testing), never from a header.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <httplib.h>

namespace veritee::test {

class LoopbackHttp {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // `what` names the stand-in in the error when no port can be bound.
  LoopbackHttp(const std::string& what, Handler handle) {
    server_.set_keep_alive_max_count(1);
    server_.Get(R"(/.*)", std::move(handle));
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error(what + ": cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the server runs: wait for it, so a short test cannot hang.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ~LoopbackHttp() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  LoopbackHttp(const LoopbackHttp&) = delete;
  LoopbackHttp& operator=(const LoopbackHttp&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// Sets `res` to `body` with `status` and, when given, Retry-After; `truncate` announces the full
// length, sends half and drops the connection (a transfer cut short).
inline void answer_loopback(httplib::Response& res, int status, const std::string& retry_after, std::string body,
                            bool truncate, const char* content_type) {
  res.status = status;
  if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
  auto text = std::make_shared<std::string>(std::move(body));
  if (truncate) {
    res.set_content_provider(text->size(), "application/octet-stream",
                             [text](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset > 0) return false;
                               sink.write(text->data(), text->size() / 2);
                               return true;
                             });
    return;
  }
  res.set_content(*text, content_type);
}

}  // namespace veritee::test
