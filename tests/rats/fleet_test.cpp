// Fleet mode: verifier services sharing nonces through a real redis-server started on a free
// loopback port (skipped, with a message, only when redis-server is not installed).
#include <gtest/gtest.h>

#include <thread>

#include <sys/stat.h>

#include "rats/rats_fixture.hpp"
#include "rats/serve_process.hpp"
#include "support/redis_server.hpp"
#include "veritee/common/digest.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/redis_nonces.hpp"

namespace veritee::test {
namespace {


// A check's "status: detail" from the EAR of a 200 answer, verified against the server's JWKS.
std::string detail_of(TestServer& server, const HttpResult& r, const std::string& id) {
  auto j = r.json();
  if (r.status != 200 || !j.contains("ear")) return "(no ear: " + r.body + ")";
  auto keys = rats::Jwks::parse(server.get("/.well-known/jwks.json").body);
  if (!keys) return "(no jwks)";
  auto v = rats::jws_verify(j["ear"].get<std::string>(), *keys);
  if (!v) return "(bad signature: " + v.error().message + ")";
  for (const auto& c : v->jws.payload["submods"]["SEV-SNP"]["veritee.checks"]) {
    if (c["id"] == id) return c["status"].get<std::string>() + ": " + c["detail"].get<std::string>();
  }
  return "(no " + id + ")";
}

class Fleet : public ::testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    VERITEE_REQUIRE_REDIS();
    auto row = corpus_row([](const ManifestRow& r) {
      return r.product == "milan" && r.version == 3 && r.key == "VCEK" && r.container().empty();
    });
    ASSERT_TRUE(row);
    resigner = std::make_unique<Resigner>(*row);
    redis_server = std::make_unique<RedisServer>();
    redis::ClientOptions co;
    co.backoff_initial = std::chrono::milliseconds(20);
    co.backoff_max = std::chrono::milliseconds(100);
    // Two replicas as two processes would be: a client each, the MAC key generated once in
    // Redis by whichever asks first.
    for (int i = 0; i < 2; ++i) {
      auto client = std::make_shared<redis::Client>(*redis::parse_url(redis_server->url()), co);
      auto key = rats::shared_nonce_key(*client, "veritee:");
      ASSERT_TRUE(key) << key.error().message;
      auto n = std::make_shared<rats::RedisNonces>(client, *key, std::chrono::seconds(30), "veritee:", true);
      ASSERT_TRUE(n->establish(TestClock().now()));
      nonces.push_back(n);
      ServerOptions o;  // default policy: nonce required
      o.roots = &resigner->roots();
      o.nonces = n;
      servers.push_back(std::make_unique<TestServer>(o));
      // Whoever created the epoch refuses nonces of that second: start one second later.
      servers.back()->clock().advance(std::chrono::seconds(2));
    }
  }
  HttpResult attest_at(TestServer& server, const Bytes& nonce) {
    rats::Submission s;
    s.report = resigner->report_with(*veritee::sha512(nonce));
    s.vcek = resigner->vcek_der();
    s.nonce = nonce;
    return server.attest(s);
  }
  std::unique_ptr<Resigner> resigner;
  std::unique_ptr<RedisServer> redis_server;
  std::vector<std::shared_ptr<rats::RedisNonces>> nonces;
  std::vector<std::unique_ptr<TestServer>> servers;
};

TEST_F(Fleet, ANonceFromOneReplicaIsRedeemedAtAnotherOnce) {
  TestServer& a = *servers[0];
  TestServer& b = *servers[1];
  const Bytes nonce = a.challenge();
  ASSERT_EQ(nonce.size(), 56u);
  auto first = attest_at(b, nonce);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["status"], "affirming") << detail_of(b, first, "nonce.valid");
  for (TestServer* again : {&a, &b}) {
    auto replay = attest_at(*again, nonce);
    ASSERT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json()["status"], "contraindicated");
    EXPECT_NE(detail_of(*again, replay, "nonce.valid").find("already used"), std::string::npos)
        << detail_of(*again, replay, "nonce.valid");
  }
  // A nonce of a verifier with another MAC key is forged here.
  ServerOptions lone;
  lone.roots = &resigner->roots();
  TestServer other(lone);
  auto forged = attest_at(a, other.challenge());
  EXPECT_NE(detail_of(a, forged, "nonce.valid").find("not issued by this verifier"), std::string::npos);
}

TEST_F(Fleet, RedisDownRefusesNoncesWith503AndRecoversWithoutReplays) {
  TestServer& a = *servers[0];
  TestServer& b = *servers[1];
  const Bytes used = a.challenge();
  ASSERT_EQ(attest_at(a, used).json()["status"], "affirming");

  const Bytes pending = b.challenge();  // issued before Redis went away
  ASSERT_EQ(pending.size(), 56u);
  redis_server->kill();
  // No nonce is handed out that could not be checked.
  auto refused = b.post("/v1/challenge", "");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_NE(refused.body.find("nonce store is unavailable"), std::string::npos) << refused.body;
  const auto start = std::chrono::steady_clock::now();
  auto down = attest_at(b, pending);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find("nonce store is unavailable"), std::string::npos) << down.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(a.get("/healthz").status, 200);
  EXPECT_GT(nonces[1]->unavailable_refusals(), 0u);

  // Back, empty: nothing redeemed before is accepted again, and the replicas recover by
  // themselves (fresh nonces work once the epoch is re-established).
  redis_server->start();
  for (TestServer* s : {&a, &b}) {
    for (int i = 0; i < 25; ++i) {
      auto r = attest_at(*s, used);
      ASSERT_NE(r.json()["status"], "affirming") << "a nonce was accepted twice";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(attest_at(*s, pending).json()["status"], "affirming");
  }
  for (auto& s : servers) s->clock().advance(std::chrono::seconds(2));
  for (TestServer* s : {&a, &b}) {
    std::string last;
    bool ok = false;
    for (int i = 0; i < 100 && !ok; ++i) {
      auto c = s->post("/v1/challenge", "");  // 503 until the replica has reconnected
      last = c.body;
      if (c.status != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      auto r = attest_at(*s, *from_base64(c.json()["nonce"].get<std::string>()));
      ok = r.status == 200 && r.json()["status"] == "affirming";
      last = r.body;
      if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(ok) << last;
  }
}

// ---------------------------------------------------------------------------------------------
// The real binary: replicas given the same key files and one Redis; rotation and SIGHUP.

std::filesystem::path write_key(const TempDir& dir, const std::string& name, const rats::SigningKey& key) {
  auto path = dir.write(name, key.private_pem());
  ::chmod(path.c_str(), 0600);
  return path;
}

// The corpus's Genoa report and VCEK as the service takes them, with a nonce when given.
std::string genoa_body(const std::optional<Bytes>& nonce) {
  nlohmann::json j{{"report", to_base64(slurp(corpus_path("ms-tee-attestation-verification/genoa_attestation_report.bin")))},
                   {"vcek", to_base64(x509::Certificate::load_all(slurp(corpus_path("ms-tee-attestation-verification/genoa_vcek.pem")))->front().der())}};
  if (nonce) j["nonce"] = to_base64(*nonce);
  return j.dump();
}

Bytes challenge_of(int port) {
  auto j = http_post(port, "/v1/challenge", "").json();
  if (!j.contains("nonce")) return {};
  return *from_base64(j["nonce"].get<std::string>());
}

std::string verify_with_jwks(const std::string& token, int port) {
  auto keys = rats::Jwks::parse(http_get(port, "/.well-known/jwks.json").body);
  if (!keys) return keys.error().message;
  auto v = rats::jws_verify(token, *keys);
  return v ? "" : v.error().message;
}

TEST(FleetCli, ReplicasShareNoncesAndKeysThroughRedis) {
  VERITEE_REQUIRE_CORPUS();
  VERITEE_REQUIRE_REDIS();
  RedisServer redis_server;
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  auto key = write_key(dir, "key.pem", *rats::SigningKey::generate(rats::JwsAlg::kES256));
  std::vector<std::unique_ptr<ServeProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(std::make_unique<ServeProcess>(std::vector<std::string>{
        "--listen", "127.0.0.1:0", "--policy", policy.string(), "--key", key.string(), "--offline",
        "--cache-dir", (dir / ("cache" + std::to_string(i))).string(), "--threads", "2",
        "--redis", redis_server.url()}));
    ASSERT_NE(replicas.back()->port(), 0) << replicas.back()->err();
  }
  const int a = replicas[0]->port(), b = replicas[1]->port();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the epoch's second

  // A nonce of A redeemed at B, then refused at A; the corpus report does not bind it, so the
  // verdict is in the check, not the status.
  const Bytes nonce = challenge_of(a);
  ASSERT_EQ(nonce.size(), 56u);
  auto at_b = http_post(b, "/v1/attest", genoa_body(nonce));
  ASSERT_EQ(at_b.status, 200) << at_b.body << replicas[1]->err();
  auto at_a = http_post(a, "/v1/attest", genoa_body(nonce));
  ASSERT_EQ(at_a.status, 200) << at_a.body;
  auto checks_of = [](const HttpResult& r) { return r.json()["ear"].get<std::string>(); };
  // Both replicas sign with the same key: each token checks against either JWKS.
  EXPECT_EQ(verify_with_jwks(checks_of(at_b), a), "");
  EXPECT_EQ(verify_with_jwks(checks_of(at_a), b), "");
  auto claims = [](const std::string& token, int port) {
    return rats::jws_verify(token, *rats::Jwks::parse(http_get(port, "/.well-known/jwks.json").body))->jws.payload;
  };
  auto detail = [&](const HttpResult& r, int port) {
    const nlohmann::json all = claims(r.json()["ear"], port);  // kept: the loop walks into it
    for (const auto& c : all.at("submods").at("SEV-SNP").at("veritee.checks")) {
      if (c["id"] == "nonce.valid") return c["status"].get<std::string>() + ": " + c["detail"].get<std::string>();
    }
    return std::string("(none)");
  };
  EXPECT_TRUE(detail(at_b, b).starts_with("pass")) << detail(at_b, b);
  EXPECT_NE(detail(at_a, a).find("already used"), std::string::npos) << detail(at_a, a);

  // Redis down: no nonce is issued and none can be checked (503), everything else answers.
  const Bytes pending = challenge_of(b);
  ASSERT_EQ(pending.size(), 56u);
  redis_server.kill();
  auto no_nonce = http_post(b, "/v1/challenge", "");
  EXPECT_EQ(no_nonce.status, 503) << no_nonce.body;
  EXPECT_NE(no_nonce.body.find("nonce store is unavailable"), std::string::npos) << no_nonce.body;
  auto down = http_post(a, "/v1/attest", genoa_body(pending));
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(down.body.find("nonce store is unavailable"), std::string::npos) << down.body;
  EXPECT_EQ(http_get(a, "/healthz").status, 200);
  EXPECT_EQ(http_post(a, "/v1/attest", genoa_body(std::nullopt)).status, 200);
  auto metrics = http_get(a, "/metrics").body;
  EXPECT_NE(metrics.find("veritee_redis_up 0"), std::string::npos) << metrics;
  // Back (empty): the old nonce is never accepted again; fresh ones work without a restart.
  redis_server.start();
  auto early = http_post(b, "/v1/attest", genoa_body(nonce));
  if (early.status == 200) {
    EXPECT_FALSE(detail(early, b).starts_with("pass")) << "a nonce was accepted twice";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  bool ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    auto r = http_post(b, "/v1/attest", genoa_body(challenge_of(a)));
    ok = r.status == 200 && detail(r, b).starts_with("pass");
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(ok) << replicas[1]->err();
  auto replay = http_post(b, "/v1/attest", genoa_body(nonce));
  if (replay.status == 200) {
    EXPECT_FALSE(detail(replay, b).starts_with("pass")) << detail(replay, b);
  } else {
    EXPECT_EQ(replay.status, 503) << replay.body;
  }
  for (auto& r : replicas) EXPECT_EQ(r->terminate(), 0);
}

// Whether `text` shows up in the server's log within 2 s.
bool logged(ServeProcess& serve, const std::string& text) {
  for (int i = 0; i < 200; ++i) {
    if (serve.err().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(FleetCli, SighupRotatesKeysAndReloadsPolicy) {
  VERITEE_REQUIRE_CORPUS();
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  const auto old_key = *rats::SigningKey::generate(rats::JwsAlg::kES256);
  const auto new_key = *rats::SigningKey::generate(rats::JwsAlg::kES384);
  auto current = write_key(dir, "current.pem", old_key);
  auto previous = write_key(dir, "previous.pem", old_key);
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--key", current.string(),
                      "--key", previous.string(), "--offline", "--cache-dir", (dir / "cache").string(),
                      "--threads", "2"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  auto before = http_post(serve.port(), "/v1/attest", genoa_body(std::nullopt));
  ASSERT_EQ(before.status, 200) << before.body;
  const std::string old_token = before.json()["ear"];
  EXPECT_EQ(rats::Jwks::parse(http_get(serve.port(), "/.well-known/jwks.json").body)->keys().size(), 1u);

  // Rotate: the new key signs, the old one stays published; the policy now wants nonces.
  write_key(dir, "current.pem", new_key);
  dir.write("policy.toml", std::string("require_nonce = true\n"));
  serve.signal(SIGHUP);
  ASSERT_TRUE(logged(serve, "keys and policy reloaded")) << serve.err();
  auto jwks = rats::Jwks::parse(http_get(serve.port(), "/.well-known/jwks.json").body);
  ASSERT_TRUE(jwks);
  ASSERT_EQ(jwks->keys().size(), 2u);
  EXPECT_EQ(jwks->keys()[0].kid, rats::jwk_thumbprint(new_key));
  EXPECT_EQ(jwks->keys()[1].kid, rats::jwk_thumbprint(old_key));
  EXPECT_EQ(verify_with_jwks(old_token, serve.port()), "");  // signed before the rotation
  EXPECT_EQ(http_post(serve.port(), "/v1/attest", genoa_body(std::nullopt)).status, 400);  // policy
  auto after = http_post(serve.port(), "/v1/attest", genoa_body(challenge_of(serve.port())));
  ASSERT_EQ(after.status, 200) << after.body;
  auto v = rats::jws_verify(after.json()["ear"].get<std::string>(), *jwks);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->kid, rats::jwk_thumbprint(new_key));

  // A broken key file: the reload is refused and the service keeps going as it was.
  dir.write("current.pem", std::string("not a key"));
  serve.signal(SIGHUP);
  EXPECT_TRUE(logged(serve, "reload refused")) << serve.err();
  EXPECT_EQ(rats::Jwks::parse(http_get(serve.port(), "/.well-known/jwks.json").body)->keys().size(), 2u);
  EXPECT_EQ(serve.terminate(), 0);
}

}  // namespace
}  // namespace veritee::test
