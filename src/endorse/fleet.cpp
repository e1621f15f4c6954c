// The Redis tier of the endorsement cache and the fleet-wide KDS budget.
#include "veritee/endorse/fleet.hpp"

namespace veritee::endorse {

RedisTier::RedisTier(std::shared_ptr<redis::Client> client, std::chrono::seconds ttl, std::string prefix)
    : client_(std::move(client)), ttl_(ttl), prefix_(std::move(prefix)) {}

std::optional<Bytes> RedisTier::get(const std::string& key) {
  auto r = client_->command({"GET", prefix_ + key});
  if (!r || r->kind != redis::Reply::Kind::kString) return std::nullopt;
  return Bytes(r->str.begin(), r->str.end());
}

void RedisTier::put(const std::string& key, ByteView bytes) {
  (void)client_->command({"SET", prefix_ + key, std::string(bytes.begin(), bytes.end()), "EX",
                          std::to_string(ttl_.count())});
}

void RedisTier::remove(const std::string& key) { (void)client_->command({"DEL", prefix_ + key}); }

FleetBudget::FleetBudget(std::shared_ptr<redis::Client> client, std::chrono::milliseconds interval,
                         std::string prefix)
    : client_(std::move(client)), interval_(interval), prefix_(std::move(prefix)) {}

std::optional<std::chrono::milliseconds> FleetBudget::reserve(const std::string& host) {
  // KEYS[1]: the host's next free slot (ms on Redis's clock); ARGV[1]: the interval in ms.
  // Returns how long the caller waits for the slot it reserved.
  static constexpr const char* kScript =
      "local t = redis.call('TIME') "
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
      "local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0')) "
      "local interval = tonumber(ARGV[1]) "
      "redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 1000) "
      "return slot - now";
  auto r = client_->command({"EVAL", kScript, "1", prefix_ + host, std::to_string(interval_.count())});
  if (!r || r->kind != redis::Reply::Kind::kInteger) return std::nullopt;
  return std::chrono::milliseconds(r->integer);
}

}  // namespace veritee::endorse
