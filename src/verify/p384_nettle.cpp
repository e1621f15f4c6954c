// ECDSA P-384 verification through GNU Nettle (hogweed): the key converted from OpenSSL's
// EVP_PKEY once per key and thread, the math in nettle's `ecdsa_verify` on
// `nettle_get_secp_384r1()`. See report_signature.hpp.
#include <algorithm>
#include <array>
#include <cstdint>

#include <gmp.h>
#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "verify/report_signature.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::verify::detail {
namespace {

constexpr std::size_t kP384Bytes = 48;

struct Mpz {
  mpz_t v;
  Mpz() { mpz_init(v); }
  ~Mpz() { mpz_clear(v); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
};

// One affine coordinate of the key, as OpenSSL holds it, into a GMP integer.
bool coordinate(EVP_PKEY* key, const char* name, mpz_t out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return false;
  ossl::BnPtr bn(raw);
  std::array<unsigned char, kP384Bytes> be{};
  if (BN_bn2binpad(bn.get(), be.data(), static_cast<int>(be.size())) < 0) return false;
  mpz_import(out, be.size(), 1, 1, 0, 0, be.data());
  return true;
}

// A nettle public key for one OpenSSL key. Holds a reference on the EVP_PKEY so its address,
// the cache key, cannot be reused for another key while the entry lives.
struct NettleKey {
  ossl::PkeyPtr owner;
  ecc_point point;
  bool ready = false;

  NettleKey() { ecc_point_init(&point, nettle_get_secp_384r1()); }
  ~NettleKey() { ecc_point_clear(&point); }
  NettleKey(const NettleKey&) = delete;
  NettleKey& operator=(const NettleKey&) = delete;

  bool assign(EVP_PKEY* key) {
    owner.reset();
    ready = false;
    Mpz x, y;
    if (!coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X, x.v) ||
        !coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y, y.v)) {
      return false;
    }
    // ecc_point_set checks that (x, y) is on the curve.
    if (ecc_point_set(&point, x.v, y.v) != 1 || EVP_PKEY_up_ref(key) != 1) return false;
    owner.reset(key);
    ready = true;
    return true;
  }
};

// The keys this thread verified with most recently: a verifier sees the same few VCEKs again
// and again (Certificate::from_der hands out the same object, so the same EVP_PKEY, for the
// same DER). Round-robin replacement; a miss costs one conversion (a few microseconds).
class KeyCache {
 public:
  const ecc_point* find_or_convert(EVP_PKEY* key) {
    for (auto& e : entries_) {
      if (e.ready && e.owner.get() == key) return &e.point;
    }
    NettleKey& slot = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    return slot.assign(key) ? &slot.point : nullptr;
  }

 private:
  std::array<NettleKey, 16> entries_;
  std::size_t next_ = 0;
};

// The same cache for keys given as uncompressed points (0x04 || X || Y), keyed by the bytes.
class PointCache {
 public:
  static constexpr std::size_t kPointBytes = 1 + 2 * kP384Bytes;

  const ecc_point* find_or_convert(ByteView point) {
    for (auto& e : entries_) {
      if (e.ready && std::equal(point.begin(), point.end(), e.bytes.begin())) return &e.point;
    }
    Entry& slot = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    slot.ready = false;
    Mpz x, y;
    mpz_import(x.v, kP384Bytes, 1, 1, 0, 0, point.data() + 1);
    mpz_import(y.v, kP384Bytes, 1, 1, 0, 0, point.data() + 1 + kP384Bytes);
    // ecc_point_set checks that (x, y) is on the curve.
    if (ecc_point_set(&slot.point, x.v, y.v) != 1) return nullptr;
    std::copy(point.begin(), point.end(), slot.bytes.begin());
    slot.ready = true;
    return &slot.point;
  }

 private:
  struct Entry {
    std::array<std::uint8_t, kPointBytes> bytes{};
    ecc_point point;
    bool ready = false;
    Entry() { ecc_point_init(&point, nettle_get_secp_384r1()); }
    ~Entry() { ecc_point_clear(&point); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
  };
  std::array<Entry, 16> entries_;
  std::size_t next_ = 0;
};

Result<void> verify_with(const ecc_point* pub, ByteView digest, ByteView r_le, ByteView s_le) {
  dsa_signature sig;
  dsa_signature_init(&sig);
  // R and S are little-endian (ABI Table 137): least significant byte first.
  mpz_import(sig.r, r_le.size(), -1, 1, 0, 0, r_le.data());
  mpz_import(sig.s, s_le.size(), -1, 1, 0, 0, s_le.data());
  const int ok = ecdsa_verify(pub, digest.size(), digest.data(), &sig);
  dsa_signature_clear(&sig);
  if (ok != 1) {
    return fail(Errc::kInvalidInput,
                "ECDSA P-384 signature does not verify with the signing certificate's key");
  }
  return {};
}

}  // namespace

Result<void> nettle_p384_verify_point(ByteView digest, ByteView r_le, ByteView s_le,
                                      ByteView point) {
  if (point.size() != PointCache::kPointBytes || point[0] != 0x04) {
    return fail(Errc::kEndorsementInvalid,
                "the signing certificate's key is not an uncompressed P-384 point");
  }
  thread_local PointCache cache;
  const ecc_point* pub = cache.find_or_convert(point);
  if (!pub) {
    return fail(Errc::kEndorsementInvalid,
                "the signing certificate's key is not a point on secp384r1");
  }
  return verify_with(pub, digest, r_le, s_le);
}

Result<void> nettle_p384_verify(ByteView digest, ByteView r_le, ByteView s_le, EVP_PKEY* key) {
  thread_local KeyCache cache;
  const ecc_point* pub = cache.find_or_convert(key);
  if (!pub) {
    return fail(Errc::kCrypto, "cannot convert the signing certificate's P-384 key for nettle: " +
                                   ossl::last_error("not a point on secp384r1"));
  }
  return verify_with(pub, digest, r_le, s_le);
}

}  // namespace veritee::verify::detail
