#include "rats/service/client_rate.hpp"

#include <algorithm>

namespace veritee::rats::detail {

ClientRateLimit::ClientRateLimit(double rate, double burst, std::size_t max_clients)
    : rate_(rate), burst_(std::max(1.0, burst)), max_clients_(std::max<std::size_t>(1, max_clients)) {}

double ClientRateLimit::refilled(const Bucket& b, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  return std::min(burst_, b.tokens + std::max(0.0, elapsed) * rate_);
}

std::optional<long> ClientRateLimit::take(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second, now) >= burst_; });
      if (buckets_.size() >= max_clients_) buckets_.erase(buckets_.begin());
    }
    it = buckets_.emplace(client, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.at = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  // Whole seconds, rounded up, until one token is back. std::chrono::ceil, not std::ceil: the
  // CLI then needs no libm (docs/performance.md, "CLI footprint").
  const std::chrono::duration<double> wait((1.0 - b.tokens) / rate_);
  return std::max(1L, static_cast<long>(std::chrono::ceil<std::chrono::seconds>(wait).count()));
}

std::size_t ClientRateLimit::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace veritee::rats::detail
