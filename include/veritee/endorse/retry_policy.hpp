// When and how long to wait before asking KDS again: HTTP 429 and 503 with Retry-After
// (RFC 9110 section 10.2.3), and bounded exponential backoff with jitter for transient
// failures (5xx, timeouts, truncated transfers).
#pragma once

#include <chrono>
#include <random>

namespace veritee::endorse {

struct RetryPolicy {
  int max_attempts = 4;                              // requests per object, first one included
  std::chrono::milliseconds initial_backoff{1'000};  // doubled after each failure
  std::chrono::milliseconds max_backoff{30'000};
  // The longest Retry-After veritee will sit through; a longer one fails at once, saying so.
  std::chrono::milliseconds max_retry_after{120'000};
};

// 429, 500, 502, 503, 504.
bool retryable_status(long status);

// Backoff before attempt `attempt + 1` (attempt counts from 1): half of
// min(max_backoff, initial * 2^(attempt-1)) plus a uniformly random part of the other half
// ("equal jitter"), so concurrent clients spread out but never retry at once.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt,
                                        std::mt19937_64& rng);

}  // namespace veritee::endorse
