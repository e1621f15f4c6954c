// Fleet mode at scale, with the real binary: three `veritee serve --redis` replicas (processes)
// and one real redis-server, all started here on loopback ports (skipped, with a message, only
// without the corpus or redis-server). Clients are a pool of threads, each holding one
// keep-alive connection per replica. Nothing here asserts on time: waits are generous and only
// bound how long a broken build takes to fail.
#include <gtest/gtest.h>
#include <httplib.h>

#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "rats/http_result.hpp"
#include "rats/rats_fixture.hpp"
#include "rats/serve_process.hpp"
#include "support/redis_server.hpp"
#include "veritee/rats/jws.hpp"

namespace veritee::test {
namespace {

constexpr int kReplicas = 3;
constexpr int kClientThreads = 8;

// The corpus's Genoa report and VCEK as the service takes them, with a nonce. The report does
// not bind the nonce (the policy does not require one), so whether the nonce was accepted is
// the "nonce.valid" check of the signed result, not the EAR status.
std::string attest_body(const Bytes& nonce) {
  static const std::string report = to_base64(slurp(corpus_path("ms-tee-attestation-verification/genoa_attestation_report.bin")));
  static const std::string vcek = to_base64(
      x509::Certificate::load_all(slurp(corpus_path("ms-tee-attestation-verification/genoa_vcek.pem")))->front().der());
  nlohmann::json j{{"report", report}, {"vcek", vcek}};
  if (!nonce.empty()) j["nonce"] = to_base64(nonce);
  return j.dump();
}

// One client's keep-alive connections, one per replica.
class Connections {
 public:
  explicit Connections(const std::vector<int>& ports) {
    for (int port : ports) {
      auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
      c->set_keep_alive(true);
      c->set_tcp_nodelay(true);
      c->set_connection_timeout(std::chrono::seconds(10));
      c->set_read_timeout(std::chrono::seconds(60));
      c->set_write_timeout(std::chrono::seconds(60));
      clients_.push_back(std::move(c));
    }
  }
  HttpResult post(int replica, const std::string& path, const std::string& body) {
    return to_http_result(clients_[static_cast<std::size_t>(replica)]->Post(path, body, "application/json"));
  }
  // POST /v1/challenge: the nonce, or empty with the answer in `refusal`.
  Bytes challenge(int replica, HttpResult* refusal = nullptr) {
    HttpResult r = post(replica, "/v1/challenge", "");
    auto j = r.json();
    if (r.status == 200 && j.is_object() && j.contains("nonce")) {
      if (auto n = from_base64(j["nonce"].get<std::string>())) return *n;
    }
    if (refusal) *refusal = r;
    return {};
  }

 private:
  std::vector<std::unique_ptr<httplib::Client>> clients_;
};

// A fixed pool of client threads, each with its own Connections, running jobs from a queue.
class ClientPool {
 public:
  using Job = std::function<void(Connections&)>;
  ClientPool(const std::vector<int>& ports, int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, ports] {
        Connections mine(ports);
        for (;;) {
          Job job;
          {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.erase(jobs_.begin());
          }
          job(mine);
          std::lock_guard lock(mutex_);
          if (--pending_ == 0) idle_.notify_all();
        }
      });
    }
  }
  ~ClientPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void run(std::vector<Job> jobs) {
    {
      std::lock_guard lock(mutex_);
      pending_ += jobs.size();
      for (auto& j : jobs) jobs_.push_back(std::move(j));
    }
    ready_.notify_all();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return pending_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, idle_;
  std::vector<Job> jobs_;
  std::size_t pending_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class FleetScale : public ::testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    VERITEE_REQUIRE_REDIS();
    redis_server = std::make_unique<RedisServer>();
    auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
    auto key = dir.write("key.pem", rats::SigningKey::generate(rats::JwsAlg::kES256)->private_pem());
    ::chmod(key.c_str(), 0600);
    for (int i = 0; i < kReplicas; ++i) {
      replicas.push_back(std::make_unique<ServeProcess>(std::vector<std::string>{
          "--listen", "127.0.0.1:0", "--policy", policy.string(), "--key", key.string(), "--offline",
          "--cache-dir", (dir / ("cache" + std::to_string(i))).string(), "--threads", "2",
          "--redis", redis_server->url()}));
      ASSERT_NE(replicas.back()->port(), 0) << replicas.back()->err();
      ports.push_back(replicas.back()->port());
    }
    auto keys = rats::Jwks::parse(http_get(ports[0], "/.well-known/jwks.json").body);
    ASSERT_TRUE(keys);
    jwks = *keys;
  }
  void TearDown() override {
    for (auto& r : replicas) EXPECT_EQ(r->terminate(), 0) << r->err().substr(0, 2000);
  }

  // The "nonce.valid" check of a 200 answer's signed result ("pass: ..." or "fail: ..."),
  // else why there is none.
  std::string nonce_check(const HttpResult& r) const {
    auto j = r.json();
    if (r.status != 200 || !j.is_object() || !j.contains("ear")) return "(no ear) " + std::to_string(r.status) + " " + r.body + r.error;
    auto v = rats::jws_verify(j["ear"].get<std::string>(), jwks);
    if (!v) return "(bad signature) " + v.error().message;
    for (const auto& c : v->jws.payload["submods"]["SEV-SNP"]["veritee.checks"]) {
      if (c["id"] == "nonce.valid") return c["status"].get<std::string>() + ": " + c["detail"].get<std::string>();
    }
    return "(no nonce.valid)";
  }
  static bool passed(const std::string& check) { return check.starts_with("pass"); }
  static bool unavailable(const HttpResult& r) {
    return r.status == 503 && r.body.find("nonce store is unavailable") != std::string::npos;
  }
  // A nonce from `replica`, asking again while it answers 503 (the second in which the first
  // replica created the shared epoch, or a reconnect).
  Bytes challenge(Connections& c, int replica) {
    HttpResult last;
    for (int i = 0; i < 600; ++i) {
      Bytes n = c.challenge(replica, &last);
      if (!n.empty()) return n;
      if (last.status != 503) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no nonce from replica " << replica << ": " << last.status << " " << last.body << last.error;
    return {};
  }

  TempDir dir;
  std::unique_ptr<RedisServer> redis_server;
  std::vector<std::unique_ptr<ServeProcess>> replicas;
  std::vector<int> ports;
  rats::Jwks jwks;
};

TEST_F(FleetScale, ANonceFromAIsAcceptedAtBThenRefusedAtC) {
  Connections c(ports);
  const Bytes nonce = challenge(c, 0);
  ASSERT_EQ(nonce.size(), 56u);
  const std::string at_b = nonce_check(c.post(1, "/v1/attest", attest_body(nonce)));
  EXPECT_TRUE(passed(at_b)) << at_b;
  for (int replica : {2, 0, 1}) {
    const std::string again = nonce_check(c.post(replica, "/v1/attest", attest_body(nonce)));
    EXPECT_TRUE(again.starts_with("fail") && again.find("already used") != std::string::npos)
        << "replica " << replica << ": " << again;
  }
}

// 1,000 nonces, each issued by one replica and sent to the two others at once (2,000
// concurrent attests over three replicas): every nonce is accepted exactly once.
TEST_F(FleetScale, ThousandConcurrentNoncesEachAcceptedExactlyOnce) {
  constexpr int kNonces = 1000;
  ClientPool pool(ports, kClientThreads);
  std::vector<Bytes> nonces(kNonces);
  std::vector<ClientPool::Job> jobs;
  for (int i = 0; i < kNonces; ++i) {
    jobs.push_back([this, &nonces, i](Connections& c) { nonces[static_cast<std::size_t>(i)] = challenge(c, i % kReplicas); });
  }
  pool.run(std::move(jobs));
  std::set<std::string> distinct;  // as text: g++ 12 misreads memcmp on vectors of bytes here
  for (const Bytes& n : nonces) {
    ASSERT_EQ(n.size(), 56u);
    distinct.emplace(n.begin(), n.end());
  }
  ASSERT_EQ(distinct.size(), static_cast<std::size_t>(kNonces));

  std::mutex mutex;
  std::vector<int> accepted(kNonces, 0);
  std::map<std::string, int> other;  // answers that are neither a pass nor "already used"
  jobs.clear();
  for (int i = 0; i < kNonces; ++i) {
    for (int step : {1, 2}) {  // adjacent in the queue: two threads race for the same nonce
      jobs.push_back([&, i, step](Connections& c) {
        const std::string check =
            nonce_check(c.post((i + step) % kReplicas, "/v1/attest", attest_body(nonces[static_cast<std::size_t>(i)])));
        std::lock_guard lock(mutex);
        if (passed(check)) ++accepted[static_cast<std::size_t>(i)];
        else if (check.find("already used") == std::string::npos) ++other[check.substr(0, 200)];
      });
    }
  }
  pool.run(std::move(jobs));
  EXPECT_TRUE(other.empty()) << other.size() << " kinds of unexpected answers, e.g. " << other.begin()->first;
  int once = 0;
  for (int i = 0; i < kNonces; ++i) {
    EXPECT_LE(accepted[static_cast<std::size_t>(i)], 1) << "nonce " << i << " accepted twice";
    once += accepted[static_cast<std::size_t>(i)] == 1;
  }
  EXPECT_EQ(once, kNonces);
}

// Redis killed while clients keep asking: nonce requests answer 503 (challenge and attest),
// everything else keeps working; Redis back on the same port (empty): the replicas recover by
// themselves and no nonce is accepted twice, before or after.
TEST_F(FleetScale, RedisKilledMidRunRefusesNoncesAndRecoversWithoutReplays) {
  std::mutex mutex;
  std::map<std::string, int> accepted;  // every nonce seen accepted (its bytes), and how often
  std::map<std::string, int> unexpected;
  std::atomic<int> rounds{0}, refused{0};
  std::vector<std::atomic<int>> recovered(kReplicas);
  std::atomic<bool> down{false}, back{false}, stop{false};
  // One round: a nonce from replica r, redeemed at r + 1. While Redis is down both requests
  // may answer 503 with the nonce store's message; nothing else is expected.
  auto round = [&](Connections& c, int r) {
    HttpResult refusal;
    const Bytes nonce = c.challenge(r, &refusal);
    if (nonce.empty()) {
      std::lock_guard lock(mutex);
      if (unavailable(refusal)) ++refused;
      else ++unexpected["challenge: " + std::to_string(refusal.status) + " " + refusal.body.substr(0, 200) + refusal.error];
      return;
    }
    const HttpResult res = c.post((r + 1) % kReplicas, "/v1/attest", attest_body(nonce));
    std::lock_guard lock(mutex);
    if (unavailable(res)) {
      ++refused;
      return;
    }
    const std::string check = nonce_check(res);
    if (passed(check)) {
      ++accepted[std::string(nonce.begin(), nonce.end())];
      if (back) ++recovered[static_cast<std::size_t>((r + 1) % kReplicas)];
    } else {
      ++unexpected["attest: " + check.substr(0, 200)];
    }
    ++rounds;
  };
  std::vector<std::thread> clients;
  for (int t = 0; t < kClientThreads; ++t) {
    clients.emplace_back([&, t] {
      Connections c(ports);
      for (int i = t; !stop; ++i) {
        round(c, i % kReplicas);
        if (down) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // no busy spin
      }
    });
  }
  auto wait_for = [](const std::function<bool()>& done) {
    for (int i = 0; i < 1200 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return done();
  };
  EXPECT_TRUE(wait_for([&] { return rounds >= 200; })) << "no load got through";

  // Nonces issued before the loss, one per replica, to redeem while Redis is down.
  Connections probe(ports);
  std::vector<Bytes> pending;
  for (int r = 0; r < kReplicas; ++r) pending.push_back(challenge(probe, r));

  down = true;
  redis_server->kill();
  for (int r = 0; r < kReplicas; ++r) {
    HttpResult refusal;
    EXPECT_TRUE(probe.challenge(r, &refusal).empty());
    EXPECT_TRUE(unavailable(refusal)) << "replica " << r << ": " << refusal.status << " " << refusal.body;
    const HttpResult at = probe.post((r + 1) % kReplicas, "/v1/attest", attest_body(pending[static_cast<std::size_t>(r)]));
    EXPECT_TRUE(unavailable(at)) << "replica " << (r + 1) % kReplicas << ": " << at.status << " " << at.body;
    // What needs no nonce keeps working from local state.
    EXPECT_EQ(probe.post(r, "/v1/attest", attest_body({})).status, 200);
    EXPECT_EQ(http_get(ports[static_cast<std::size_t>(r)], "/healthz").status, 200);
  }
  const int refused_before = refused;
  EXPECT_TRUE(wait_for([&] { return refused >= refused_before + 50; })) << "the load saw no 503s";

  redis_server->start();
  down = false;
  back = true;
  // The replicas reconnect (backoff) and re-establish the epoch without a restart.
  EXPECT_TRUE(wait_for([&] {
    for (auto& n : recovered) if (n < 20) return false;
    return true;
  })) << "a replica did not recover: " << recovered[0].load() << " " << recovered[1].load() << " " << recovered[2].load() << "\n"
      << replicas[0]->err().substr(0, 3000);
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " kinds of unexpected answers, e.g. "
                                  << unexpected.begin()->first << " (x" << unexpected.begin()->second << ")";
  // Every nonce ever accepted, and those issued before the loss, offered again at every
  // replica: none is accepted a second time.
  std::vector<Bytes> seen;
  for (const auto& [nonce, times] : accepted) {
    EXPECT_EQ(times, 1) << "a nonce was accepted " << times << " times";
    seen.emplace_back(nonce.begin(), nonce.end());
  }
  seen.insert(seen.end(), pending.begin(), pending.end());
  ClientPool pool(ports, kClientThreads);
  std::atomic<int> replayed{0};
  std::vector<ClientPool::Job> jobs;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    jobs.push_back([&, i](Connections& c) {
      for (int r = 0; r < kReplicas; ++r) {
        const HttpResult res = c.post(r, "/v1/attest", attest_body(seen[i]));
        if (!unavailable(res) && passed(nonce_check(res))) ++replayed;
      }
    });
  }
  pool.run(std::move(jobs));
  EXPECT_EQ(replayed.load(), 0) << "nonces accepted again after Redis came back";
}

}  // namespace
}  // namespace veritee::test
