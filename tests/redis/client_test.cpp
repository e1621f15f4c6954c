// The hiredis client against a real redis-server on loopback: URLs, commands, and bounded
// failure while Redis is down (fails at once, reconnects after the backoff).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/redis_server.hpp"
#include "veritee/redis/client.hpp"

namespace veritee::test {
namespace {

TEST(RedisUrl, ParsesHostPortPasswordAndDb) {
  auto e = redis::parse_url("redis://:s3cret@10.0.0.5:6380/2");
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->host, "10.0.0.5");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->text(), "10.0.0.5:6380/2");  // never the password
  e = redis::parse_url("redis://localhost");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 6379);
  e = redis::parse_url("redis://[::1]:7000");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h:12x",
                          "redis://h/abc"}) {
    EXPECT_FALSE(redis::parse_url(bad)) << bad;
  }
}

TEST(RedisClient, CommandsAgainstARealServer) {
  VERITEE_REQUIRE_REDIS();
  RedisServer server;
  redis::Client client(*redis::parse_url(server.url()));
  auto set = client.command({"SET", "k", std::string("a\0b", 3), "NX", "EX", "60"});
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->kind, redis::Reply::Kind::kStatus);
  auto again = client.command({"SET", "k", "x", "NX"});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->nil());
  auto get = client.command({"GET", "k"});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->str, std::string("a\0b", 3));
  auto wrong = client.command({"INCR", "k"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kUnsupported);
}

TEST(RedisClient, DownFailsFastAndReconnects) {
  VERITEE_REQUIRE_REDIS();
  RedisServer server;
  redis::ClientOptions o;
  o.backoff_initial = std::chrono::milliseconds(50);
  o.backoff_max = std::chrono::milliseconds(200);
  o.connections = 2;
  redis::Client client(*redis::parse_url(server.url()), o);
  ASSERT_TRUE(client.command({"PING"}));
  server.kill();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r = client.command({"PING"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kNetwork);
    EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos)
        << r.error().message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(client.available());
  server.start();
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = client.command({"PING"}).has_value();
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(back);
  EXPECT_TRUE(client.available());
}

TEST(RedisClient, NothingListeningIsAnErrorNotAHang) {
  redis::ClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(200);
  redis::Client client(*redis::parse_url("redis://127.0.0.1:1"), o);
  auto r = client.command({"PING"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNetwork);
}

}  // namespace
}  // namespace veritee::test
