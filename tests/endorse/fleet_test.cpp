// The endorse layer in a fleet: the cache's Redis tier (every entry checked on read, a planted
// bad entry refused, removed and fetched again) and the KDS budget shared through Redis, counted
// on a loopback fake KDS. A real redis-server on a free loopback port.
#include <gtest/gtest.h>

#include <atomic>

#include "endorse/mock_kds.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"
#include "veritee/endorse/fleet.hpp"
#include "veritee/endorse/kds_client.hpp"

namespace veritee::test {
namespace {

// An entry whose good bytes start with "GOOD" (the real entries check chains to AMD's roots:
// endorsement_check.hpp; the tier only needs some check to run).
endorse::CacheEntry test_entry() {
  endorse::CacheEntry e;
  e.key = "vcek/milan/abcd/3-0-8-115";
  e.what = "test VCEK";
  e.check = [](ByteView b) -> Result<void> {
    if (b.size() >= 4 && std::string(b.begin(), b.begin() + 4) == "GOOD") return {};
    return fail(Errc::kEndorsementInvalid, "not GOOD bytes");
  };
  return e;
}

TEST(FleetEndorse, CacheTierServesOtherReplicasAndRefusesTamperedEntries) {
  VERITEE_REQUIRE_REDIS();
  RedisServer redis_server;
  const auto endpoint = *redis::parse_url(redis_server.url());
  std::atomic<int> fetches{0};
  auto fetch = [&]() -> Result<Bytes> {
    ++fetches;
    const std::string good = "GOOD vcek bytes";
    return Bytes(good.begin(), good.end());
  };
  std::vector<std::string> notes;
  auto replica = [&](const TempDir& dir) {
    endorse::CacheOptions o;
    o.shared = std::make_shared<endorse::RedisTier>(std::make_shared<redis::Client>(endpoint));
    o.notify = [&](const std::string& m) { notes.push_back(m); };
    return endorse::EndorsementCache(dir.path(), o);
  };
  TempDir da, db, dc;
  auto a = replica(da);
  auto b = replica(db);
  auto c = replica(dc);
  const auto entry = test_entry();

  auto got = a.find_or_fetch(entry, fetch);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->fetched);
  got = b.find_or_fetch(entry, fetch);  // from Redis, not KDS
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(got->fetched);
  EXPECT_EQ(fetches, 1);

  // Garbage planted in Redis: refused, reported, removed, fetched again and put back.
  redis::Client raw(endpoint);
  ASSERT_TRUE(raw.command({"SET", "veritee:endorse:" + entry.key, "garbage"}));
  got = c.find_or_fetch(entry, fetch);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(std::string(got->bytes.begin(), got->bytes.end()), "GOOD vcek bytes");
  EXPECT_EQ(fetches, 2);
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.back().find("refused test VCEK from the shared tier"), std::string::npos) << notes.back();
  EXPECT_EQ(raw.command({"GET", "veritee:endorse:" + entry.key})->str, "GOOD vcek bytes");

  // Redis down: the tier reads as absent; the local cache and the fetch go on.
  redis_server.kill();
  TempDir dd;
  auto d = replica(dd);
  got = d.find_or_fetch(entry, fetch);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(fetches, 3);
}

TEST(FleetEndorse, KdsBudgetIsSharedByTheFleet) {
  VERITEE_REQUIRE_REDIS();
  RedisServer redis_server;
  MockKds kds;
  kds.add("/vcek/v1/Milan/cert_chain", Bytes{1, 2, 3});
  kds.add("/vcek/v1/Genoa/cert_chain", Bytes{4, 5, 6});
  const auto endpoint = *redis::parse_url(redis_server.url());
  auto replica = [&] {
    endorse::KdsOptions o;
    o.base_url = kds.url();
    o.min_interval = std::chrono::milliseconds(60'000);
    o.max_rate_wait = std::chrono::milliseconds(0);  // a service: never wait, refuse
    o.retry.max_attempts = 1;
    auto budget = std::make_shared<endorse::FleetBudget>(std::make_shared<redis::Client>(endpoint),
                                                         std::chrono::milliseconds(60'000));
    o.shared_budget = [budget](const std::string& host) { return budget->reserve(host); };
    return std::make_unique<endorse::KdsClient>(o);
  };
  auto a = replica();
  auto b = replica();
  EXPECT_TRUE(a->get("/vcek/v1/Milan/cert_chain"));
  // Each replica alone would send now (its own limit is fresh); the fleet has spent its slot.
  auto refused = b->get("/vcek/v1/Genoa/cert_chain");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("rate limit"), std::string::npos) << refused.error().message;
  EXPECT_EQ(kds.requests(), 1u);
}

}  // namespace
}  // namespace veritee::test
