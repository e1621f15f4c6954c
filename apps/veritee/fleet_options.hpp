// `veritee serve` in a fleet (docs/service.md, "Fleet mode"): --redis URL (or
// $VERITEE_REDIS_URL) to share nonces with the other replicas, --nonce-key FILE, several --key
// files for rotation, and SIGHUP to reload keys and policy.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <signal.h>

#include "veritee/common/error.hpp"
#include "veritee/endorse/fleet.hpp"
#include "veritee/rats/nonce.hpp"
#include "veritee/rats/redis_nonces.hpp"
#include "veritee/rats/signing_key.hpp"
#include "veritee/redis/client.hpp"

namespace veritee::cli {

struct FleetFlags {
  std::string redis;      // --redis URL, else $VERITEE_REDIS_URL
  std::string nonce_key;  // --nonce-key FILE
};

void add_fleet_flags(CLI::App& cmd, FleetFlags& flags);

// Every --key file, in order: the first signs, all are published. Errors name the file.
Result<std::vector<rats::SigningKey>> load_signing_keys(const std::vector<std::string>& files);

// The nonce service the flags ask for, kept alive beside the service.
struct Fleet {
  std::shared_ptr<redis::Client> client;       // with --redis
  std::shared_ptr<rats::RedisNonces> shared;   // with --redis
  std::shared_ptr<rats::HmacNonces> local;     // without
  std::shared_ptr<rats::NonceService> nonces;  // one of the two
  std::shared_ptr<endorse::RedisTier> tier;     // with --redis: the endorsement cache tier
  std::shared_ptr<endorse::FleetBudget> budget; // with --redis: the fleet's KDS budget
  std::string describe() const;                // for the start line: "redis HOST:PORT" or "local"
  std::string metrics() const;                 // Prometheus lines
};

// Errc::kInvalidInput for a bad URL or key file (exit 2); Errc::kNetwork when the MAC key must
// come from Redis and Redis cannot be reached (exit 4).
Result<Fleet> open_fleet(const FleetFlags& flags, std::chrono::seconds nonce_ttl,
                         std::size_t replay_capacity, std::chrono::milliseconds kds_interval);

// SIGHUP: `reload` runs on a thread of its own each time one arrives. Blocks SIGHUP (and
// SIGTERM, SIGINT, which another thread waits for) in the calling thread: create it before
// any other thread, so that all of them inherit the mask.
class ReloadOnHup {
 public:
  explicit ReloadOnHup(std::function<void()> reload);
  ~ReloadOnHup();
  ReloadOnHup(const ReloadOnHup&) = delete;
  ReloadOnHup& operator=(const ReloadOnHup&) = delete;

 private:
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace veritee::cli
