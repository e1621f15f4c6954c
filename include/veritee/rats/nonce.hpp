// Nonces: how a report binds one (REPORT_DATA, or an Azure HCL blob's runtime claims), and the
// verifier's issuer of stateless, single-use, short-lived nonces (RFC 9334 section 10.2,
// "Nonce-Based Freshness").
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/common/error.hpp"

namespace veritee::rats {

inline constexpr std::size_t kMaxNonceSize = 64;  // a padded nonce must fit REPORT_DATA

// The two accepted forms of REPORT_DATA for a nonce N: N zero-padded to 64 bytes, or
// SHA-512(N) (64 bytes).
enum class NonceBinding { kPadded, kSha512 };
std::string_view to_string(NonceBinding binding);  // "padded", "sha512"
Result<NonceBinding> parse_nonce_binding(std::string_view name);

// The 64 bytes a guest puts in REPORT_DATA for `nonce` in the given form (nonce of 1..64
// bytes; a longer one only in the SHA-512 form).
Result<Bytes> report_data_for(ByteView nonce, NonceBinding binding);

// Which form `report_data` (64 bytes) binds `nonce` in, if any.
std::optional<NonceBinding> find_nonce_binding(ByteView report_data, ByteView nonce);

// What redeeming a nonce found.
enum class NonceState {
  kValid,       // issued here, not expired, first use (now consumed)
  kMalformed,   // wrong size: not a nonce of this verifier
  kForged,      // the MAC does not verify: not issued by this verifier (or before a restart)
  kExpired,
  kReused,      // already redeemed once
  kReplayFull,  // the replay set is full of unexpired nonces: refused, fail closed
  kUnavailable, // the shared replay set (Redis) cannot be reached: refused, fail closed
};
std::string_view to_string(NonceState state);

struct IssuedNonce {
  Bytes nonce;
  veritee::TimePoint expires;
};

struct NonceVerdict {
  NonceState state = NonceState::kMalformed;
  std::optional<veritee::TimePoint> expires;  // when the MAC verified
};

// Where nonces come from and are redeemed. The service uses HmacNonces; tests may inject
// another (e.g. one that accepts a corpus report's REPORT_DATA).
class NonceService {
 public:
  virtual ~NonceService() = default;
  virtual IssuedNonce issue(veritee::TimePoint now) = 0;
  virtual NonceVerdict redeem(ByteView nonce, veritee::TimePoint now) = 0;
  // Whether a nonce issued now could be redeemed: Errc::kNetwork when the replay set it would
  // be checked against cannot be reached, so no nonce is handed out that cannot be checked
  // (the service answers 503). A local replay set is always ready.
  virtual Result<void> ready_to_issue(veritee::TimePoint now) {
    (void)now;
    return {};
  }
};

// Stateless nonces: expiry (u64 big-endian Unix seconds) || 16 random bytes ||
// HMAC-SHA-256(secret, expiry || random), 56 bytes. Nothing is stored at issue; a redeemed
// nonce goes into a bounded replay set until it expires, so each is accepted once. The secret
// is per process (random_bytes(32)): nonces issued before a restart are refused (the replay set is not kept).
class HmacNonces final : public NonceService {
 public:
  static constexpr std::size_t kSize = 8 + 16 + 32;

  HmacNonces(Bytes secret, std::chrono::seconds ttl, std::size_t replay_capacity,
             std::function<Bytes(std::size_t)> random = {});

  IssuedNonce issue(veritee::TimePoint now) override;
  NonceVerdict redeem(ByteView nonce, veritee::TimePoint now) override;
  // The MAC and expiry only, nothing consumed: kValid, kMalformed, kForged or kExpired. For a
  // replay set kept elsewhere (rats/service: RedisNonces).
  NonceVerdict check(ByteView nonce, veritee::TimePoint now) const;

  std::chrono::seconds ttl() const { return ttl_; }
  std::size_t replay_size() const;
  // Redemptions refused because the replay set was full (for a metric).
  std::uint64_t replay_full_refusals() const { return replay_full_; }

 private:
  Bytes mac(ByteView prefix) const;
  void prune(std::int64_t now_seconds);

  Bytes secret_;
  std::chrono::seconds ttl_;
  std::size_t capacity_;
  std::function<Bytes(std::size_t)> random_;
  mutable std::mutex mutex_;
  std::set<std::string> used_;                       // nonces redeemed and not yet expired
  std::multimap<std::int64_t, std::string> expiry_;  // expiry -> nonce, for pruning
  std::atomic<std::uint64_t> replay_full_{0};
};

Bytes random_bytes(std::size_t n);  // OpenSSL RAND_bytes; aborts if the RNG fails

}  // namespace veritee::rats
