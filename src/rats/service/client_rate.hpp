// Per-client-address request rate limit (`veritee serve --client-rate`): a token bucket per
// address, `rate` requests a second sustained and `burst` at once. Over it, the service answers
// 429 with Retry-After (RFC 6585 section 4). The table of addresses is bounded: when it is full,
// addresses whose bucket has refilled are forgotten first.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace veritee::rats::detail {

class ClientRateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  ClientRateLimit(double rate, double burst, std::size_t max_clients = 65536);

  // Nothing when the request may go on; else the whole seconds to wait (at least 1).
  std::optional<long> take(const std::string& client, Clock::time_point now);
  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  double refilled(const Bucket& b, Clock::time_point now) const;

  double rate_;
  double burst_;
  std::size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace veritee::rats::detail
