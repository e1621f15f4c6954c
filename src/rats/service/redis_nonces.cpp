// Nonces shared through Redis: HMAC nonces whose replay set is a Redis key per nonce.
#include "veritee/rats/redis_nonces.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>

#include "veritee/common/bytes.hpp"
#include "veritee/rats/clock.hpp"

namespace veritee::rats {

Result<Bytes> load_nonce_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read the nonce key " + path);
  Bytes key;
  char c = 0;
  while (key.size() <= 1024 && in.get(c)) key.push_back(static_cast<std::uint8_t>(c));
  if (key.size() < 32 || key.size() > 1024) {
    return fail(Errc::kInvalidInput, "the nonce key " + path + " must hold 32 to 1024 bytes (e.g. head -c 32 /dev/urandom)");
  }
  return key;
}

Result<Bytes> shared_nonce_key(redis::Client& client, const std::string& prefix) {
  const std::string name = prefix + "nonce-key";
  const Bytes fresh = random_bytes(32);
  auto set = client.command({"SET", name, std::string(fresh.begin(), fresh.end()), "NX"});
  if (!set) return std::unexpected(set.error());
  auto got = client.command({"GET", name});
  if (!got) return std::unexpected(got.error());
  if (got->kind != redis::Reply::Kind::kString || got->str.size() != 32) {
    return fail(Errc::kInvalidInput, "the shared nonce key " + name + " in Redis at " +
                                         client.endpoint().text() + " is not 32 bytes");
  }
  return Bytes(got->str.begin(), got->str.end());
}

RedisNonces::RedisNonces(std::shared_ptr<redis::Client> client, Bytes secret, std::chrono::seconds ttl,
                         std::string prefix, bool secret_in_redis)
    : client_(std::move(client)),
      secret_(secret),
      macs_(std::move(secret), ttl, 0),
      ttl_(ttl),
      prefix_(std::move(prefix)),
      secret_in_redis_(secret_in_redis) {}

IssuedNonce RedisNonces::issue(veritee::TimePoint now) { return macs_.issue(now); }

Result<std::string> RedisNonces::epoch(veritee::TimePoint now, bool lost) {
  std::lock_guard lock(epoch_mutex_);
  if (!lost && !epoch_.empty()) return epoch_;
  const std::string name = prefix_ + "nonce-epoch";
  // random ":" the second it was created: every replica refuses nonces issued up to then.
  const std::string mine = to_hex(random_bytes(16)) + ":" + std::to_string(unix_seconds(now));
  auto set = client_->command({"SET", name, mine, "NX"});
  if (!set) return std::unexpected(set.error());
  auto got = client_->command({"GET", name});
  if (!got) return std::unexpected(got.error());
  if (got->kind != redis::Reply::Kind::kString) {
    return fail(Errc::kNetwork, "the nonce epoch " + name + " vanished from Redis at " + client_->endpoint().text());
  }
  // Created here, or changed since this replica last looked: whatever Redis knew of redeemed
  // nonces may be gone, so nothing issued up to now is accepted.
  if (lost || !set->nil()) refuse_through_ = unix_seconds(now);
  // Created by another replica: the nonces issued up to that second (by any replica) may have
  // been redeemed against what Redis lost, so they are refused here too (never beyond this
  // replica's now: a clock ahead elsewhere must not stop issuing here).
  if (const auto colon = got->str.rfind(':'); colon != std::string::npos) {
    std::int64_t created = 0;
    const char* end = got->str.data() + got->str.size();
    if (std::from_chars(got->str.data() + colon + 1, end, created).ptr == end) {
      refuse_through_ = std::max(refuse_through_, std::min(created, unix_seconds(now)));
    }
  }
  if (lost && secret_in_redis_) {
    (void)client_->command({"SET", prefix_ + "nonce-key", std::string(secret_.begin(), secret_.end()), "NX"});
  }
  epoch_ = got->str;
  return epoch_;
}

Result<void> RedisNonces::establish(veritee::TimePoint now) {
  auto e = epoch(now, false);
  if (!e) return std::unexpected(e.error());
  return {};
}

NonceVerdict RedisNonces::redeem(ByteView nonce, veritee::TimePoint now) {
  NonceVerdict verdict = macs_.check(nonce, now);
  if (verdict.state != NonceState::kValid) return verdict;
  auto unavailable = [&](const std::string& why) {
    note_unavailable(why);
    verdict.state = NonceState::kUnavailable;
    return verdict;
  };
  const std::int64_t expires = unix_seconds(*verdict.expires);
  auto current = epoch(now, false);
  if (!current) return unavailable(current.error().message);
  {
    std::lock_guard lock(epoch_mutex_);
    if (expires - ttl_.count() <= refuse_through_) {
      return unavailable("the nonce was issued before the shared replay set was (re)established");
    }
  }
  // The key names expiry || random (the MAC is a function of them); it lives until the nonce
  // has expired everywhere (one second of slack for clocks a second apart).
  static constexpr const char* kScript =
      "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end "
      "if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return 1 end "
      "return 0";
  const std::int64_t left = std::max<std::int64_t>(1, expires - unix_seconds(now) + 1);
  auto r = client_->command({"EVAL", kScript, "2", prefix_ + "nonce-epoch", prefix_ + "nonce:" + to_hex(nonce.first(24)),
                             *current, std::to_string(left)});
  if (!r) return unavailable(r.error().message);
  if (r->kind != redis::Reply::Kind::kInteger) return unavailable("unexpected reply to the nonce script");
  if (r->integer == 1) return verdict;
  if (r->integer == 0) return (verdict.state = NonceState::kReused, verdict);
  auto renewed = epoch(now, true);  // -1: the epoch changed or vanished
  return unavailable(renewed ? "the shared replay set was lost (Redis restarted or flushed)"
                             : renewed.error().message);
}

Result<void> RedisNonces::ready_to_issue(veritee::TimePoint now) {
  auto refuse = [&](const std::string& why) -> Result<void> {
    note_unavailable(why);
    return fail(Errc::kNetwork, why);
  };
  auto current = epoch(now, false);
  if (!current) return refuse(current.error().message);
  auto got = client_->command({"GET", prefix_ + "nonce-epoch"});
  if (!got) return refuse(got.error().message);
  if (got->kind != redis::Reply::Kind::kString || got->str != *current) {
    auto renewed = epoch(now, true);  // Redis restarted or flushed since this replica looked
    if (!renewed) return refuse(renewed.error().message);
  }
  std::lock_guard lock(epoch_mutex_);
  if (unix_seconds(now) <= refuse_through_) {
    return refuse("the shared replay set was (re)established this second; a nonce issued now would be refused");
  }
  return {};
}

void RedisNonces::note_unavailable(const std::string& why) {
  ++unavailable_;
  std::lock_guard lock(error_mutex_);
  last_error_ = why;
}

std::string RedisNonces::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

}  // namespace veritee::rats
