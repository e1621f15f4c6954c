// Nonce binding (both forms) on real REPORT_DATA values, and the HMAC nonce issuer: expiry,
// single use, forgery, bounded replay set, all on a clock the test sets.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include "rats/rats_fixture.hpp"
#include "veritee/rats/nonce.hpp"

namespace veritee::test {
namespace {

using rats::NonceBinding;
using rats::NonceState;

Bytes sha512_of(const Bytes& data) {
  Bytes out(64);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha512(), nullptr);
  return out;
}

// Corpus REPORT_DATA values: most put a 32-byte value followed by 32 zero bytes (the padded
// form of a 32-byte nonce); some fill all 64 bytes.
TEST(NonceBinding, PaddedFormOnRealReportData) {
  VERITEE_REQUIRE_CORPUS();
  int padded = 0, full = 0;
  for (const auto& row : load_manifest()) {
    Bytes report = report_bytes_of(row);
    if (report.size() != 0x4A0) continue;
    Bytes data(report.begin() + 0x50, report.begin() + 0x90);
    std::size_t used = 64;
    while (used > 0 && data[used - 1] == 0) --used;
    if (used == 0) continue;  // all zero: no nonce of any length pads to it but "\0"...
    Bytes nonce(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(used));
    EXPECT_EQ(rats::find_nonce_binding(data, nonce), NonceBinding::kPadded) << row.report;
    auto built = rats::report_data_for(nonce, NonceBinding::kPadded);
    ASSERT_TRUE(built);
    EXPECT_EQ(*built, data) << row.report;
    // The same REPORT_DATA is not SHA-512 of its own prefix, and a changed nonce binds nothing.
    EXPECT_NE(sha512_of(nonce), data);
    Bytes other = nonce;
    other[0] ^= 0x80;
    EXPECT_EQ(rats::find_nonce_binding(data, other), std::nullopt) << row.report;
    (used == 64 ? full : padded)++;
  }
  EXPECT_GT(padded, 10);
  EXPECT_GT(full, 2);
}

// SHA-512 form: a real REPORT_DATA of 64 used bytes, taken as the preimage, gives a 64-byte
// digest a guest would put in REPORT_DATA; the binding is found only in that form.
TEST(NonceBinding, Sha512FormOnRealReportData) {
  VERITEE_REQUIRE_CORPUS();
  auto row = corpus_row([](const ManifestRow& r) { return r.report == "virtee-sev/report_milan.hex"; });
  if (!row) GTEST_SKIP() << "virtee-sev report not in the corpus";
  Bytes report = report_bytes_of(*row);
  Bytes nonce(report.begin() + 0x50, report.begin() + 0x90);  // 64 real bytes
  Bytes data = sha512_of(nonce);
  EXPECT_EQ(rats::find_nonce_binding(data, nonce), NonceBinding::kSha512);
  auto built = rats::report_data_for(nonce, NonceBinding::kSha512);
  ASSERT_TRUE(built);
  EXPECT_EQ(*built, data);
  // The original REPORT_DATA binds the nonce padded (it is the nonce), not hashed.
  EXPECT_EQ(rats::find_nonce_binding(nonce, nonce), NonceBinding::kPadded);
  // A 65-byte nonce only fits hashed.
  Bytes big(65, 7);
  EXPECT_FALSE(rats::report_data_for(big, NonceBinding::kPadded));
  EXPECT_TRUE(rats::report_data_for(big, NonceBinding::kSha512));
  EXPECT_FALSE(rats::report_data_for({}, NonceBinding::kSha512));
}

TEST(NonceBinding, Names) {
  EXPECT_EQ(rats::parse_nonce_binding("sha512"), NonceBinding::kSha512);
  EXPECT_EQ(rats::parse_nonce_binding("padded"), NonceBinding::kPadded);
  EXPECT_FALSE(rats::parse_nonce_binding("sha256"));
}

class Issuer : public ::testing::Test {
 protected:
  TestClock clock;
  rats::HmacNonces nonces{Bytes(32, 0x42), std::chrono::seconds(60), 4};
};

TEST_F(Issuer, IssuedNonceRedeemsOnce) {
  auto n = nonces.issue(clock.now());
  EXPECT_EQ(n.nonce.size(), rats::HmacNonces::kSize);
  EXPECT_EQ(n.expires, clock.now() + std::chrono::seconds(60));
  auto v = nonces.redeem(n.nonce, clock.now());
  EXPECT_EQ(v.state, NonceState::kValid);
  EXPECT_EQ(v.expires, n.expires);
  EXPECT_EQ(nonces.redeem(n.nonce, clock.now()).state, NonceState::kReused);
}

TEST_F(Issuer, ExpiresAtItsSecond) {
  auto n = nonces.issue(clock.now());
  clock.advance(std::chrono::seconds(59));
  auto a = nonces.issue(clock.now());
  EXPECT_EQ(nonces.redeem(n.nonce, clock.now()).state, NonceState::kValid);  // 1 s left
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(nonces.redeem(a.nonce, clock.now()).state, NonceState::kExpired);
}

TEST_F(Issuer, ForgedAndMalformed) {
  auto n = nonces.issue(clock.now());
  for (std::size_t i : {0u, 10u, 30u, 55u}) {
    Bytes bad = n.nonce;
    bad[i] ^= 1;
    EXPECT_EQ(nonces.redeem(bad, clock.now()).state, NonceState::kForged) << "byte " << i;
  }
  EXPECT_EQ(nonces.redeem(Bytes(10, 0), clock.now()).state, NonceState::kMalformed);
  // Another process (another secret) did not issue it.
  rats::HmacNonces other(Bytes(32, 0x43), std::chrono::seconds(60), 4);
  EXPECT_EQ(other.redeem(n.nonce, clock.now()).state, NonceState::kForged);
  // The forged attempts did not consume the real nonce.
  EXPECT_EQ(nonces.redeem(n.nonce, clock.now()).state, NonceState::kValid);
}

TEST_F(Issuer, ReplaySetIsBoundedAndDrainsOnExpiry) {
  std::vector<Bytes> used;
  for (int i = 0; i < 4; ++i) {
    auto n = nonces.issue(clock.now());
    ASSERT_EQ(nonces.redeem(n.nonce, clock.now()).state, NonceState::kValid);
  }
  EXPECT_EQ(nonces.replay_size(), 4u);
  auto fifth = nonces.issue(clock.now());
  EXPECT_EQ(nonces.redeem(fifth.nonce, clock.now()).state, NonceState::kReplayFull)
      << "a full replay set refuses rather than forgets";
  EXPECT_EQ(nonces.replay_full_refusals(), 1u) << "counted for veritee_nonce_replay_full_total";
  EXPECT_NE(to_string(NonceState::kReplayFull).find("replay set is full"), std::string_view::npos);
  clock.advance(std::chrono::seconds(61));
  auto fresh = nonces.issue(clock.now());
  EXPECT_EQ(nonces.redeem(fresh.nonce, clock.now()).state, NonceState::kValid);
  EXPECT_EQ(nonces.replay_size(), 1u) << "expired entries are pruned";
}

TEST_F(Issuer, NoncesAreUnpredictable) {
  auto a = nonces.issue(clock.now());
  auto b = nonces.issue(clock.now());
  EXPECT_NE(a.nonce, b.nonce);
}

}  // namespace
}  // namespace veritee::test
