// A real `redis-server` (Debian redis-server) on a free loopback port, started by a test and
// killed on destruction; no persistence. Tests skip with a message when the binary is absent.
#pragma once

#include <sys/types.h>

#include <string>

namespace veritee::test {

#define VERITEE_REQUIRE_REDIS()                                                   \
  do {                                                                            \
    if (!::veritee::test::RedisServer::installed()) {                             \
      GTEST_SKIP() << "redis-server is not installed (scripts/setup.sh installs it)"; \
    }                                                                             \
  } while (0)

class RedisServer {
 public:
  static bool installed();
  RedisServer();  // starts it (throws std::runtime_error when it does not come up in 10 s)
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  void kill();   // SIGKILL and reap: connections drop, the port is closed
  void start();  // again on the same port (empty: nothing was persisted)

 private:
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace veritee::test
