#include "veritee/endorse/rate_limiter.hpp"

#include <algorithm>

namespace veritee::endorse {

std::chrono::milliseconds RateLimiter::reserve(const std::string& host) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  auto& next = next_[host];
  const auto slot = std::max(now, next);
  next = slot + interval_;
  return std::chrono::ceil<std::chrono::milliseconds>(slot - now);
}

std::optional<std::chrono::milliseconds> RateLimiter::reserve_within(const std::string& host,
                                                                    std::chrono::milliseconds at_most) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  auto& next = next_[host];
  const auto slot = std::max(now, next);
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(slot - now);
  if (wait > at_most) return std::nullopt;
  next = slot + interval_;
  return wait;
}

void RateLimiter::hold(const std::string& host, Clock::time_point until) {
  std::lock_guard lock(mutex_);
  auto& next = next_[host];
  next = std::max(next, until);
}

std::string host_of(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const std::size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace veritee::endorse
