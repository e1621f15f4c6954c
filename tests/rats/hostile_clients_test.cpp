// Hostile clients against the service (issue 11): bodies over the limit are refused while they
// are read (Content-Length, chunked), a POST without a length is an empty body answered at
// once, wrong methods are 405, deep JSON is 400, every response carries X-Request-Id and every
// log line is JSON with a level and the same id.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rats/rats_fixture.hpp"

namespace veritee::test {
namespace {

// Sends `request` on a fresh connection, then reads what comes back until the server closes or
// 5 s pass. `more` is sent `repeat` times after the request (a streamed body).
std::string raw_exchange(int port, const std::string& request, const std::string& more = {},
                         std::size_t repeat = 0) {
  const int fd = connect_loopback(port, 5);
  if (fd < 0) return "connect failed";
  auto send_all = [&](const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
      ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  };
  send_all(request);
  for (std::size_t i = 0; i < repeat && send_all(more); ++i) {
  }
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return got;
}

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return -1;
  return std::stoi(response.substr(9, 3));
}

long ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HostileClients, PostWithoutABodyIsAnEmptyBodyAnsweredAtOnce) {
  TestServer server;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = raw_exchange(server.port(), "POST /v1/challenge HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 200) << r;
  EXPECT_NE(r.find("\"nonce\""), std::string::npos) << r;
  EXPECT_LT(ms_since(t0), 1500) << "not held until the read timeout (2 s here)";
}

TEST(HostileClients, ChunkedBodyOverTheLimitIs413WhileReading) {
  TestServer server;
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'A') + "\r\n";  // 64 KiB a chunk
  // A chunked body with no announced size: the server stops reading at the second chunk (past
  // 64 KiB) and answers 413. (Only two chunks are sent: a client that keeps sending after the
  // server closed gets a TCP reset, which can discard the response before it is read.)
  auto r = raw_exchange(server.port(),
                        "POST /v1/attest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Type: application/json\r\n\r\n",
                        chunk, 2);
  EXPECT_EQ(status_of(r), 413) << r.substr(0, 300);
  EXPECT_NE(r.find("larger than 65536"), std::string::npos) << r.substr(0, 300);
  EXPECT_EQ(server.get("/healthz").status, 200);
}

TEST(HostileClients, DeclaredLengthOverTheLimitIs413BeforeTheBody) {
  TestServer server;
  // 2 MiB announced, nothing sent: answered without waiting for the body.
  const auto t0 = std::chrono::steady_clock::now();
  auto r = raw_exchange(server.port(), "POST /v1/attest HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_EQ(status_of(r), 413) << r;
  // Not asserted: the connection closes only at the read timeout (2 s here) after the 413,
  // which httplib 0.11 holds open (docs/service.md).
  (void)t0;
}

TEST(HostileClients, WrongMethodsAre405WithAllow) {
  TestServer server;
  auto r = raw_exchange(server.port(), "GET /v1/attest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 405) << r;
  EXPECT_NE(r.find("Allow: POST"), std::string::npos) << r;
  r = raw_exchange(server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 405) << r;
  EXPECT_NE(r.find("Allow: GET"), std::string::npos) << r;
  r = raw_exchange(server.port(), "DELETE /v1/challenge HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 405) << r;
}

TEST(HostileClients, DeepJsonIs400) {
  ServerOptions o;
  o.max_body = 256 * 1024;
  TestServer server(o);
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto r = server.post("/v1/attest", deep);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("deeper than"), std::string::npos) << r.body;
  EXPECT_EQ(server.get("/healthz").status, 200);
}

TEST(HostileClients, RequestIdInHeaderAndJsonLog) {
  TestServer server;
  auto r = raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(r), 200);
  const auto at = r.find("X-Request-Id: ");
  ASSERT_NE(at, std::string::npos) << r;
  const std::string id = r.substr(at + 14, r.find("\r\n", at) - at - 14);
  bool found = false;
  for (int i = 0; i < 100 && !found; ++i) {
    for (const auto& line : server.logs()) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << line;
      if (j.value("id", "") == id) {
        found = true;
        EXPECT_EQ(j.value("level", ""), "info") << line;
      }
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(found) << "no log line with id " << id;
}

TEST(HostileClients, ReadyzWithoutAReadinessCheckIsReady) {
  TestServer server;
  auto r = server.get("/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace veritee::test
