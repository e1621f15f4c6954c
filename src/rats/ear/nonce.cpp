// Nonce binding forms and the HMAC nonce issuer (RFC 9334 section 10.2).
#include "veritee/rats/nonce.hpp"

#include <algorithm>
#include <cstdlib>

#include <openssl/rand.h>

#include "veritee/common/digest.hpp"
#include "veritee/rats/clock.hpp"

namespace veritee::rats {

std::string_view to_string(NonceBinding binding) {
  return binding == NonceBinding::kPadded ? "padded" : "sha512";
}

Result<NonceBinding> parse_nonce_binding(std::string_view name) {
  if (name == "padded") return NonceBinding::kPadded;
  if (name == "sha512") return NonceBinding::kSha512;
  return fail(Errc::kInvalidInput, "unknown nonce binding '" + std::string(name) +
                                       "' (padded or sha512)");
}

Result<Bytes> report_data_for(ByteView nonce, NonceBinding binding) {
  if (nonce.empty()) return fail(Errc::kInvalidInput, "the nonce is empty");
  if (binding == NonceBinding::kSha512) return sha512(nonce);
  if (nonce.size() > kMaxNonceSize) {
    return fail(Errc::kInvalidInput, "a " + std::to_string(nonce.size()) +
                                         "-byte nonce does not fit REPORT_DATA padded; use sha512");
  }
  Bytes out(64, 0);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  return out;
}

std::optional<NonceBinding> find_nonce_binding(ByteView report_data, ByteView nonce) {
  if (report_data.size() != 64 || nonce.empty()) return std::nullopt;
  for (NonceBinding b : {NonceBinding::kPadded, NonceBinding::kSha512}) {
    auto want = report_data_for(nonce, b);
    if (want && equal_ct(*want, report_data)) return b;
  }
  return std::nullopt;
}

std::string_view to_string(NonceState state) {
  switch (state) {
    case NonceState::kValid: return "valid";
    case NonceState::kMalformed: return "malformed";
    case NonceState::kForged: return "not issued by this verifier";
    case NonceState::kExpired: return "expired";
    case NonceState::kReused: return "already used";
    case NonceState::kReplayFull:
      return "refused: the replay set is full of unexpired nonces (raise its capacity or lower the nonce TTL)";
    case NonceState::kUnavailable: return "refused: the shared replay set is unavailable";
  }
  return "unknown";
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) std::abort();
  return out;
}

HmacNonces::HmacNonces(Bytes secret, std::chrono::seconds ttl, std::size_t replay_capacity,
                       std::function<Bytes(std::size_t)> random)
    : secret_(std::move(secret)),
      ttl_(ttl),
      capacity_(replay_capacity),
      random_(random ? std::move(random) : random_bytes) {}

Bytes HmacNonces::mac(ByteView prefix) const {
  static constexpr std::string_view kLabel = "veritee nonce v1";
  Bytes input(kLabel.begin(), kLabel.end());
  input.insert(input.end(), prefix.begin(), prefix.end());
  // HMAC fails only when OpenSSL cannot allocate; an empty tag then makes the nonce
  // unredeemable (issue) or forged (redeem): the service fails closed.
  return hmac_sha256(secret_, input).value_or(Bytes{});
}

IssuedNonce HmacNonces::issue(veritee::TimePoint now) {
  const auto expires = unix_seconds(now) + ttl_.count();
  Bytes nonce(8);
  for (int i = 0; i < 8; ++i) {
    nonce[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(expires) >> (56 - 8 * i));
  }
  Bytes rnd = random_(16);
  nonce.insert(nonce.end(), rnd.begin(), rnd.end());
  Bytes tag = mac(nonce);
  nonce.insert(nonce.end(), tag.begin(), tag.end());
  return {std::move(nonce), from_unix_seconds(expires)};
}

void HmacNonces::prune(std::int64_t now_seconds) {
  auto end = expiry_.upper_bound(now_seconds);  // expired: expiry <= now
  for (auto it = expiry_.begin(); it != end; ++it) used_.erase(it->second);
  expiry_.erase(expiry_.begin(), end);
}

NonceVerdict HmacNonces::check(ByteView nonce, veritee::TimePoint now) const {
  if (nonce.size() != kSize) return {NonceState::kMalformed, std::nullopt};
  if (!equal_ct(mac(nonce.first(24)), nonce.subspan(24))) {
    return {NonceState::kForged, std::nullopt};
  }
  std::uint64_t raw = 0;
  for (std::size_t i = 0; i < 8; ++i) raw = (raw << 8) | nonce[i];
  const auto expires = static_cast<std::int64_t>(raw);
  NonceVerdict verdict{NonceState::kValid, from_unix_seconds(expires)};
  const auto now_s = unix_seconds(now);
  // A nonce is good up to, not including, its expiry second.
  if (now_s >= expires) verdict.state = NonceState::kExpired;
  return verdict;
}

NonceVerdict HmacNonces::redeem(ByteView nonce, veritee::TimePoint now) {
  NonceVerdict verdict = check(nonce, now);
  if (verdict.state != NonceState::kValid) return verdict;
  const auto now_s = unix_seconds(now);
  const auto expires = unix_seconds(*verdict.expires);
  std::string key(nonce.begin(), nonce.end());
  std::lock_guard lock(mutex_);
  prune(now_s);
  if (used_.contains(key)) return (verdict.state = NonceState::kReused, verdict);
  if (used_.size() >= capacity_) {
    ++replay_full_;
    return (verdict.state = NonceState::kReplayFull, verdict);
  }
  used_.insert(key);
  expiry_.emplace(expires, std::move(key));
  return verdict;
}

std::size_t HmacNonces::replay_size() const {
  std::lock_guard lock(mutex_);
  return used_.size();
}

}  // namespace veritee::rats
