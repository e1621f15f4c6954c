// What the endorse layer shares with the other replicas of a verifier fleet through Redis
// (docs/service.md, "Fleet mode"): the endorsement cache tier and the KDS request budget.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/redis/client.hpp"

namespace veritee::endorse {

// VCEKs, chains and CRLs in Redis under `prefix` + entry key, kept `ttl`. The cache checks
// every entry it reads (SharedTier); Redis unreachable reads as absent.
class RedisTier final : public SharedTier {
 public:
  RedisTier(std::shared_ptr<redis::Client> client, std::chrono::seconds ttl = std::chrono::hours(24 * 7),
            std::string prefix = "veritee:endorse:");
  std::optional<Bytes> get(const std::string& key) override;
  void put(const std::string& key, ByteView bytes) override;
  void remove(const std::string& key) override;

 private:
  std::shared_ptr<redis::Client> client_;
  std::chrono::seconds ttl_;
  std::string prefix_;
};

// One KDS request per `interval` per host for the whole fleet: each request reserves the next
// slot in Redis (a script on Redis's own clock, so replicas' clocks do not matter) and is told
// how long to wait for it. Nothing when Redis cannot be reached (KdsOptions::shared_budget).
class FleetBudget {
 public:
  FleetBudget(std::shared_ptr<redis::Client> client, std::chrono::milliseconds interval,
              std::string prefix = "veritee:kds-budget:");
  std::optional<std::chrono::milliseconds> reserve(const std::string& host);

 private:
  std::shared_ptr<redis::Client> client_;
  std::chrono::milliseconds interval_;
  std::string prefix_;
};

}  // namespace veritee::endorse
