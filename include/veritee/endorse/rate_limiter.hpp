// Client-side rate limit per host: KDS answers HTTP 429 to clients that ask more often than
// about once every few seconds (DESIGN.md 3.6), so veritee spaces its own requests instead.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace veritee::endorse {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(std::chrono::milliseconds min_interval) : interval_(min_interval) {}

  // Reserves the next slot for `host` and returns how long the caller must wait for it.
  std::chrono::milliseconds reserve(const std::string& host);
  // The same when the wait is at most `at_most`; otherwise nothing is reserved (a caller that
  // will not wait must not push the next slot further away for everyone else).
  std::optional<std::chrono::milliseconds> reserve_within(const std::string& host,
                                                          std::chrono::milliseconds at_most);
  // The server asked for a pause (Retry-After): no slot for `host` before `until`.
  void hold(const std::string& host, Clock::time_point until);

 private:
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> next_;
};

// "kdsintf.amd.com" or "127.0.0.1:8080" from "https://kdsintf.amd.com/vcek/..."
std::string host_of(const std::string& url);

}  // namespace veritee::endorse
