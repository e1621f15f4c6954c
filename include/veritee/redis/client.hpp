// A bounded Redis client on hiredis (Debian libhiredis-dev): what the verifier fleet shares
// (nonces, the endorsement cache tier, the KDS request budget) goes through it.
//
// Every call is bounded: a connect timeout, a command timeout (SO_RCVTIMEO/SO_SNDTIMEO on the
// socket), and after a failure no new connection is tried until a backoff (doubling up to a
// ceiling) has passed: while Redis is down a call fails at once with Errc::kNetwork instead of
// waiting. The client is thread-safe: a small fixed pool of connections, one command at a time
// on each.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"

namespace veritee::redis {

// Where Redis listens: redis://[[user]:password@]host[:port][/db] (the port 6379 by default).
struct Endpoint {
  std::string host;
  int port = 6379;
  std::string password;  // AUTH when not empty
  int db = 0;            // SELECT when not 0
  std::string text() const;  // host:port/db, never the password
};
Result<Endpoint> parse_url(std::string_view url);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5'000};
  std::size_t connections = 4;
};

// A reply, copied out of hiredis. Errors from Redis ("-ERR ...") are not replies: the call
// returns Errc::kUnsupported with Redis's message.
struct Reply {
  enum class Kind { kNil, kString, kInteger, kStatus, kArray };
  Kind kind = Kind::kNil;
  std::string str;  // kString, kStatus
  long long integer = 0;
  std::vector<Reply> elements;
  bool nil() const { return kind == Kind::kNil; }
};

class Client {
 public:
  explicit Client(Endpoint endpoint, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One command, arguments binary-safe. Errc::kNetwork when Redis cannot be reached (or is in
  // backoff after a failure), naming the endpoint and the cause.
  Result<Reply> command(const std::vector<std::string>& args);

  // Whether the last attempt reached Redis.
  bool available() const { return available_; }
  const Endpoint& endpoint() const { return endpoint_; }
  std::uint64_t failures() const { return failures_; }

 private:
  struct Slot;
  Result<void> connect(Slot& slot);
  void failed(Slot& slot, const std::string& why);

  Endpoint endpoint_;
  ClientOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<std::size_t> next_slot_{0};
  std::mutex backoff_mutex_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
  std::string last_error_;
  std::atomic<bool> available_{true};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace veritee::redis
