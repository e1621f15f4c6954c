// CRLs held by a long-running service (crl_keeper.hpp, issue 11): loaded from the cache without
// the network, prefetched, refreshed before their nextUpdate, retried on one schedule while KDS
// fails (never once per caller), and used by the resolver without a fetch at request time.
#include <gtest/gtest.h>

#include <thread>

#include "kds_fixtures.hpp"
#include "support/process.hpp"
#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/crl_keeper.hpp"
#include "veritee/endorse/endorsement_resolver.hpp"
#include "veritee/endorse/rate_limiter.hpp"

namespace veritee::endorse {
namespace {

using namespace std::chrono_literals;

#define REQUIRE(sample)                                                     \
  if (!(sample)) GTEST_SKIP() << "evidence corpus not found: sample needed"

const std::string kMilanCrl = crl_path(snp::Product::kMilan, Line::kVcek);

// A service's client: one attempt, a circuit that opens on the first failure.
KdsOptions service(const test::MockKds& mock) {
  KdsOptions o;
  o.base_url = mock.url();
  o.min_interval = 0ms;
  o.retry = RetryPolicy{1, 5ms, 10ms, 1000ms};
  o.circuit_failures = 1;
  o.circuit_cooldown = 0ms;
  o.max_rate_wait = 0ms;
  return o;
}

struct Clock {
  veritee::TimePoint now;
  std::function<veritee::TimePoint()> fn() {
    return [this] { return now; };
  }
};

CrlKeeperOptions milan_only(Clock& clock) {
  CrlKeeperOptions o;
  o.lines = {{snp::Product::kMilan, Line::kVcek}};
  o.clock = clock.fn();
  o.retry_initial = 30s;
  o.retry_max = 120s;
  return o;
}

TEST(CrlKeeper, LoadsTheCacheWithoutTheNetwork) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = test::utc(2030, 1, 1);
  Clock clock{t0 + 1h};
  test::TempDir dir;
  EndorsementCache cache(dir.path(), {.clock = clock.fn()});
  ASSERT_TRUE(cache.put(crl_entry(snp::Product::kMilan, Line::kVcek, s->pki.store),
                        test::pki_crl(*s, t0, t0 + 24h)));
  CrlKeeper keeper(s->pki.store, &cache, nullptr, milan_only(clock));
  EXPECT_FALSE(keeper.all_current()) << "nothing is held before load()";
  keeper.load();
  auto held = keeper.current(snp::Product::kMilan, Line::kVcek);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->origin, Origin::kCache);
  EXPECT_TRUE(keeper.all_current());
  // Past its nextUpdate it is no longer current, and offline nothing is fetched.
  clock.now = t0 + 25h;
  keeper.refresh_due();
  EXPECT_FALSE(keeper.current(snp::Product::kMilan, Line::kVcek));
  const std::string why = keeper.why_not_current(snp::Product::kMilan, Line::kVcek);
  EXPECT_NE(why.find("offline"), std::string::npos) << why;
  EXPECT_NE(why.find("expired"), std::string::npos) << why;
}

TEST(CrlKeeper, PrefetchesStoresAndRefreshesBeforeNextUpdate) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = test::utc(2030, 1, 1);
  Clock clock{t0 + 1h};
  test::MockKds mock;
  mock.add(kMilanCrl, test::pki_crl(*s, t0, t0 + 24h));
  test::TempDir dir;
  EndorsementCache cache(dir.path(), {.clock = clock.fn()});
  KdsClient client(service(mock));
  CrlKeeper keeper(s->pki.store, &cache, &client, milan_only(clock));
  keeper.load();
  EXPECT_FALSE(keeper.all_current());
  keeper.refresh_due();
  ASSERT_TRUE(keeper.current(snp::Product::kMilan, Line::kVcek));
  EXPECT_EQ(mock.requests(), 1U);
  EXPECT_EQ(test::cache_contents(dir.path()).refs, std::vector<std::string>{"crl/milan/vcek"});

  // Not due: no request, however often the keeper looks.
  clock.now = t0 + 17h;
  for (int i = 0; i < 5; ++i) keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 1U);

  // In the last quarter of its validity: fetched again, and the newer CRL replaces it.
  mock.add(kMilanCrl, test::pki_crl(*s, t0 + 18h, t0 + 42h));
  clock.now = t0 + 19h;
  keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 2U);
  auto st = keeper.status();
  ASSERT_EQ(st.size(), 1U);
  ASSERT_TRUE(st[0].next_update);
  EXPECT_EQ(*st[0].next_update, t0 + 42h);
  // A restarted service finds the refreshed one in the cache.
  CrlKeeper restarted(s->pki.store, &cache, nullptr, milan_only(clock));
  restarted.load();
  ASSERT_TRUE(restarted.current(snp::Product::kMilan, Line::kVcek));
  EXPECT_EQ(*restarted.status()[0].next_update, t0 + 42h);
}

TEST(CrlKeeper, FailingKdsIsRetriedOnOneScheduleNotPerCaller) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = test::utc(2030, 1, 1);
  Clock clock{t0};
  test::MockKds mock;
  mock.add(kMilanCrl, test::pki_crl(*s, t0, t0 + 24h));
  mock.inject("/vcek", test::MockResponse{.status = 500}, 1000);
  KdsClient client(service(mock));
  CrlKeeper keeper(s->pki.store, nullptr, &client, milan_only(clock));
  keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 1U);
  EXPECT_FALSE(keeper.all_current());
  // Callers asking meanwhile are answered from memory, at once, and send nothing.
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(keeper.current(snp::Product::kMilan, Line::kVcek));
  keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 1U) << "the next attempt waits for the schedule";
  const auto st = keeper.status();
  ASSERT_TRUE(st[0].next_attempt);
  EXPECT_EQ(*st[0].next_attempt, t0 + 30s);
  EXPECT_NE(st[0].problem.find("HTTP 500"), std::string::npos) << st[0].problem;

  clock.now = t0 + 30s;
  keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 2U);
  EXPECT_EQ(*keeper.status()[0].next_attempt, t0 + 90s) << "the wait doubles";

  // KDS back: the next scheduled attempt takes the CRL.
  test::MockKds healthy;
  healthy.add(kMilanCrl, test::pki_crl(*s, t0, t0 + 24h));
  KdsOptions o = service(healthy);
  KdsClient good(o);
  CrlKeeper recovered(s->pki.store, nullptr, &good, milan_only(clock));
  recovered.refresh_due();
  EXPECT_TRUE(recovered.all_current());
}

TEST(CrlKeeper, BackgroundThreadPrefetchesAndStops) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto now = std::chrono::system_clock::now();
  test::MockKds mock;
  for (snp::Product p : {snp::Product::kMilan}) {
    for (Line l : {Line::kVcek, Line::kVlek}) mock.add(crl_path(p, l), test::pki_crl(*s, now - 1h, now + 24h));
  }
  KdsClient client(service(mock));
  CrlKeeperOptions o;
  o.lines = {{snp::Product::kMilan, Line::kVcek}, {snp::Product::kMilan, Line::kVlek}};
  CrlKeeper keeper(s->pki.store, nullptr, &client, o);
  keeper.start();
  for (int i = 0; i < 500 && !keeper.all_current(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(keeper.all_current());
  EXPECT_EQ(mock.requests(), 2U);
  const auto t0 = std::chrono::steady_clock::now();
  keeper.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST(CrlKeeper, ResolverUsesTheHeldCrlAndNeverFetchesOne) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto t0 = std::chrono::system_clock::now();
  test::MockKds mock;
  mock.add(kMilanCrl, test::pki_crl(*s, t0 - 1h, t0 + 24h));
  KdsClient client(service(mock));
  CrlKeeperOptions o;
  o.lines = {{snp::Product::kMilan, Line::kVcek}};
  CrlKeeper keeper(s->pki.store, nullptr, &client, o);

  ResolveRequest request;
  request.files.signer = s->pki.vcek;
  request.files.signer_path = "test";
  request.crl = CrlPolicy::kPrefer;
  EndorsementResolver resolver(s->pki.store, nullptr, nullptr, &client);
  resolver.hold_crls(&keeper);
  // Nothing held yet: no CRL, the reason given, and no request at request time.
  auto none = resolver.resolve(s->report(), request);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->endorsements.crl);
  EXPECT_EQ(mock.requests(), 0U);
  EXPECT_EQ(none->provenance.back().origin, Origin::kAbsent);
  EXPECT_NE(none->provenance.back().source.find("no current CRL held"), std::string::npos)
      << none->provenance.back().source;

  keeper.refresh_due();
  EXPECT_EQ(mock.requests(), 1U);
  for (int i = 0; i < 10; ++i) {
    auto held = resolver.resolve(s->report(), request);
    ASSERT_TRUE(held);
    EXPECT_TRUE(held->endorsements.crl);
    EXPECT_NE(held->provenance.back().source.find("held in memory"), std::string::npos);
  }
  EXPECT_EQ(mock.requests(), 1U);
}

TEST(CrlKeeper, RefusedRateLimitSlotsAreNotReserved) {
  RateLimiter limiter(1000ms);
  ASSERT_EQ(limiter.reserve_within("a", 0ms), std::optional(0ms));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.reserve_within("a", 0ms));
  // The refused callers did not push the next slot out: it is still about a second away.
  const auto wait = limiter.reserve("a");
  EXPECT_LE(wait.count(), 1000);
  EXPECT_GE(wait.count(), 900);
}

}  // namespace
}  // namespace veritee::endorse
