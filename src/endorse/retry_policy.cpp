#include "veritee/endorse/retry_policy.hpp"

#include <algorithm>

namespace veritee::endorse {

bool retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt,
                                        std::mt19937_64& rng) {
  using std::chrono::milliseconds;
  const long long cap = policy.max_backoff.count();
  long long base = std::max<long long>(policy.initial_backoff.count(), 0);
  for (int i = 1; i < attempt && base < cap; ++i) base *= 2;
  base = std::min(base, cap);
  const long long half = base / 2;
  std::uniform_int_distribution<long long> jitter(0, base - half);
  return milliseconds(half + jitter(rng));
}

}  // namespace veritee::endorse
