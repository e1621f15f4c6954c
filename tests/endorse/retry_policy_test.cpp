#include <gtest/gtest.h>

#include "veritee/endorse/rate_limiter.hpp"
#include "veritee/endorse/retry_policy.hpp"

namespace veritee::endorse {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, RetriesOnlyTransientStatuses) {
  for (long s : {429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(retryable_status(s)) << s;
  for (long s : {200L, 400L, 403L, 404L, 501L}) EXPECT_FALSE(retryable_status(s)) << s;
}

TEST(RetryPolicy, BackoffDoublesWithJitterAndIsCapped) {
  RetryPolicy policy{8, milliseconds(100), milliseconds(1000), milliseconds(0)};
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    for (int attempt = 1; attempt <= 8; ++attempt) {
      long long base = std::min<long long>(100LL << (attempt - 1), 1000);
      const auto d = backoff_delay(policy, attempt, rng);
      EXPECT_GE(d.count(), base / 2) << attempt;
      EXPECT_LE(d.count(), base) << attempt;
    }
  }
}

TEST(RateLimiter, SpacesRequestsPerHost) {
  RateLimiter limiter(milliseconds(1000));
  EXPECT_EQ(limiter.reserve("a").count(), 0);
  EXPECT_GE(limiter.reserve("a").count(), 990);   // the next slot, a second later
  EXPECT_GE(limiter.reserve("a").count(), 1990);  // and the one after
  EXPECT_EQ(limiter.reserve("b").count(), 0);     // another host is independent
  limiter.hold("b", RateLimiter::Clock::now() + std::chrono::seconds(30));
  EXPECT_GE(limiter.reserve("b").count(), 29'000);
}

TEST(RateLimiter, HostOfUrl) {
  EXPECT_EQ(host_of("https://kdsintf.amd.com/vcek/v1/Milan/cert_chain"), "kdsintf.amd.com");
  EXPECT_EQ(host_of("http://127.0.0.1:8080/x?y"), "127.0.0.1:8080");
  EXPECT_EQ(host_of("http://h"), "h");
}

}  // namespace
}  // namespace veritee::endorse
