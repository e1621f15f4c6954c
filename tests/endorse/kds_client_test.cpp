// KdsClient against the loopback mock KDS: status handling, Retry-After, backoff, timeouts,
// truncated transfers, rate limiting and coalescing. Delays are milliseconds.
#include <gtest/gtest.h>

#include <thread>

#include "mock_kds.hpp"
#include "veritee/endorse/kds_client.hpp"

namespace veritee::endorse {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kPath = "/vcek/v1/Milan/cert_chain";

KdsOptions fast(const test::MockKds& mock, std::vector<KdsEvent>* events = nullptr) {
  KdsOptions o;
  o.base_url = mock.url();
  o.min_interval = 0ms;
  o.http.connect_timeout = 2000ms;
  o.http.total_timeout = 2000ms;
  o.retry = RetryPolicy{3, 10ms, 40ms, 3000ms};
  if (events) {
    o.observer = [events, m = std::make_shared<std::mutex>()](const KdsEvent& e) {
      std::lock_guard lock(*m);
      events->push_back(e);
    };
  }
  return o;
}

Bytes body(std::string_view text) { return Bytes(text.begin(), text.end()); }

TEST(KdsClient, GetsTheObjectWithItsUserAgent) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  KdsClient client(fast(mock));
  auto got = client.chain(snp::Product::kMilan, Line::kVcek);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, body("chain"));
  EXPECT_EQ(client.requests_sent(), 1U);
  ASSERT_EQ(mock.user_agents().size(), 1U);
  EXPECT_TRUE(mock.user_agents()[0].starts_with("veritee/")) << mock.user_agents()[0];
}

TEST(KdsClient, NotFoundIsMissingAndNotRetried) {
  test::MockKds mock;
  KdsClient client(fast(mock));
  auto got = client.get("/vcek/v1/Milan/crl");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kEndorsementMissing);
  EXPECT_NE(got.error().message.find("404"), std::string::npos);
  EXPECT_EQ(mock.requests(), 1U);
}

TEST(KdsClient, HonoursRetryAfterOn429) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  mock.inject(kPath, {.status = 429, .retry_after = "1"});
  std::vector<KdsEvent> events;
  KdsClient client(fast(mock, &events));
  const auto start = Clock::now();
  auto got = client.get(kPath);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_GE(Clock::now() - start, 1000ms);  // Retry-After: 1 second
  EXPECT_EQ(mock.requests(), 2U);
  bool told = false;
  for (const auto& e : events) {
    if (e.kind == KdsEvent::Kind::kWait && e.wait == 1000ms) {
      told = e.message.find("429") != std::string::npos &&
             e.message.find("Retry-After") != std::string::npos;
    }
  }
  EXPECT_TRUE(told) << "the wait after 429 is reported with its reason";
}

TEST(KdsClient, RefusesARetryAfterLongerThanItsLimit) {
  test::MockKds mock;
  mock.inject(kPath, {.status = 503, .retry_after = "3600"});
  KdsClient client(fast(mock));
  const auto start = Clock::now();
  auto got = client.get(kPath);
  ASSERT_FALSE(got);
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_NE(got.error().message.find("Retry-After: 3600"), std::string::npos)
      << got.error().message;
  EXPECT_EQ(mock.requests(), 1U);
}

TEST(KdsClient, BacksOffOn5xxAndGivesUpAfterMaxAttempts) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  mock.inject(kPath, {.status = 500}, 2);
  KdsClient client(fast(mock));
  auto got = client.get(kPath);
  ASSERT_TRUE(got) << got.error().message;  // third attempt succeeds
  EXPECT_EQ(mock.requests(), 3U);

  mock.inject(kPath, {.status = 503}, 3);  // no Retry-After: exponential backoff
  auto failed = client.get(kPath);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::kNetwork);
  EXPECT_NE(failed.error().message.find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(mock.requests(), 6U);
}

TEST(KdsClient, TimesOutOnASlowAnswer) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  mock.inject(kPath, {.delay = 600ms}, 2);
  KdsOptions o = fast(mock);
  o.http.total_timeout = 150ms;
  o.retry.max_attempts = 2;
  KdsClient client(o);
  const auto start = Clock::now();
  auto got = client.get(kPath);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kNetwork);
  EXPECT_NE(got.error().message.find("imed out"), std::string::npos) << got.error().message;
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST(KdsClient, ATruncatedBodyIsAFailureNotAnObject) {
  test::MockKds mock;
  mock.add(kPath, Bytes(4000, 0x41));
  mock.inject(kPath, {.truncate = true}, 3);
  KdsClient client(fast(mock));
  auto got = client.get(kPath);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kNetwork);
  EXPECT_EQ(mock.requests(), 3U);
}

TEST(KdsClient, RateLimitSpacesRequestsToOneHost) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  KdsOptions o = fast(mock);
  o.min_interval = 100ms;
  KdsClient client(o);
  const auto start = Clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.get(kPath));
  EXPECT_GE(Clock::now() - start, 200ms);
  EXPECT_EQ(mock.requests(), 3U);
}

TEST(KdsClient, CoalescesConcurrentRequestsForOneObject) {
  test::MockKds mock;
  mock.add(kPath, body("chain"));
  mock.set_delay(300ms);
  KdsClient client(fast(mock));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { ok += client.get(kPath) ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(mock.requests(), 1U);
  EXPECT_EQ(client.requests_sent(), 1U);
}

TEST(KdsClient, NothingListeningIsANetworkError) {
  KdsOptions o;
  {
    test::MockKds mock;  // take a free port, then close it
    o.base_url = mock.url();
  }
  o.min_interval = 0ms;
  o.retry = RetryPolicy{2, 5ms, 10ms, 100ms};
  KdsClient client(o);
  auto got = client.get(kPath);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kNetwork);
}

}  // namespace
}  // namespace veritee::endorse
