#include "tdx/ecdsa.hpp"

#include "veritee/x509/ecdsa.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace veritee::tdx::detail {
namespace {

constexpr std::size_t kPointBytes = 64;  // x || y

// One key ready to verify with. `key` is owned (a reference taken on a caller's key, so its
// address, the lookup key, is not reused for another key while the entry lives).
struct Entry {
  std::array<std::uint8_t, kPointBytes> point{};  // when built from a raw point
  bool from_point = false;
  ossl::PkeyPtr key;
  ossl::PkeyCtxPtr ctx;

  void clear() {
    ctx.reset();
    key.reset();
    from_point = false;
  }
  // Takes `k` (owned) and initialises its context; false (and empty) on failure.
  bool assign(ossl::PkeyPtr k) {
    clear();
    ossl::PkeyCtxPtr fresh(EVP_PKEY_CTX_new_from_pkey(nullptr, k.get(), nullptr));
    if (!fresh || EVP_PKEY_verify_init(fresh.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(fresh.get(), ossl::sha256_md()) != 1) {
      return false;
    }
    key = std::move(k);
    ctx = std::move(fresh);
    return true;
  }
  PreparedP256 prepared() const { return {key.get(), ctx.get()}; }
};

// The keys this thread verified with most recently; round-robin replacement.
class Cache {
 public:
  Entry* find(EVP_PKEY* key) {
    for (Entry& e : entries_) {
      if (e.ctx && !e.from_point && e.key.get() == key) return &e;
    }
    return nullptr;
  }
  Entry* find(ByteView xy) {
    if (xy.size() != kPointBytes) return nullptr;
    for (Entry& e : entries_) {
      if (e.ctx && e.from_point && std::equal(xy.begin(), xy.end(), e.point.begin())) return &e;
    }
    return nullptr;
  }
  Entry& slot() {
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % entries_.size();
    e.clear();
    return e;
  }

 private:
  std::array<Entry, 16> entries_;
  std::size_t next_ = 0;
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

template <class T, void (*Free)(T*)>
using Ptr = std::unique_ptr<T, ossl::Deleter<T, Free>>;

}  // namespace

Result<ossl::PkeyPtr> p256_key(ByteView xy) {
  if (xy.size() != kPointBytes) return fail(Errc::kInvalidInput, "a P-256 point is 64 bytes (x || y)");
  std::array<unsigned char, 1 + kPointBytes> point{};
  point[0] = 0x04;  // uncompressed (SEC 1, section 2.3.3)
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  Ptr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return fail(Errc::kCrypto, "cannot build EC parameters: " + ossl::last_error());
  }
  Ptr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "the attestation key is not a point on P-256");
  }
  ossl::PkeyPtr out(key);
  // Check the point lies on the curve (and is not the point at infinity). The quick check
  // leaves out the multiplication by the group order, which on P-256 (cofactor 1) can only
  // confirm what lying on the curve already says (SP 800-56A rev. 3, 5.6.2.3.4).
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "the attestation key is not a point on P-256");
  }
  return out;
}

Result<PreparedP256> p256_prepared(ByteView xy) {
  if (xy.size() == kPointBytes) {
    if (Entry* known = cache().find(xy)) return known->prepared();
  }
  auto key = p256_key(xy);
  if (!key) return std::unexpected(key.error());
  Entry& e = cache().slot();
  if (!e.assign(std::move(*key))) {
    return fail(Errc::kCrypto, "cannot set up ECDSA verification: " + ossl::last_error());
  }
  std::copy(xy.begin(), xy.end(), e.point.begin());
  e.from_point = true;
  return e.prepared();
}

Result<PreparedP256> p256_prepared(EVP_PKEY* key) {
  if (Entry* known = cache().find(key)) return known->prepared();
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 256) {
    return fail(Errc::kEndorsementInvalid, "the key is not ECDSA P-256");
  }
  if (EVP_PKEY_up_ref(key) != 1) return fail(Errc::kCrypto, "cannot reference the key");
  Entry& e = cache().slot();
  if (!e.assign(ossl::PkeyPtr(key))) {
    return fail(Errc::kCrypto, "cannot set up ECDSA verification: " + ossl::last_error());
  }
  return e.prepared();
}

Result<std::array<unsigned char, 32>> sha256(std::initializer_list<ByteView> parts) {
  std::array<unsigned char, 32> digest{};
  thread_local ossl::MdCtxPtr md(EVP_MD_CTX_new());
  unsigned int len = 0;
  bool ok = md && ossl::sha256_md() && EVP_DigestInit_ex(md.get(), ossl::sha256_md(), nullptr) == 1;
  for (ByteView p : parts) ok = ok && EVP_DigestUpdate(md.get(), p.data(), p.size()) == 1;
  if (!ok || EVP_DigestFinal_ex(md.get(), digest.data(), &len) != 1 || len != digest.size()) {
    return fail(Errc::kCrypto, "cannot compute SHA-256: " + ossl::last_error());
  }
  return digest;
}

Result<void> verify_p256(const PreparedP256& key, ByteView data, ByteView signature) {
  if (signature.size() != 64) return fail(Errc::kInvalidInput, "a P-256 signature is 64 bytes");
  auto der = x509::ecdsa_raw_to_der(signature);
  if (!der) return std::unexpected(der.error());
  auto digest = sha256({data});
  if (!digest) return std::unexpected(digest.error());
  if (EVP_PKEY_verify(key.ctx, der->data(), der->size(), digest->data(), digest->size()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "signature does not verify");
  }
  return {};
}

Result<void> verify_p256(EVP_PKEY* key, ByteView data, ByteView signature) {
  auto prepared = p256_prepared(key);
  if (!prepared) return std::unexpected(prepared.error());
  return verify_p256(*prepared, data, signature);
}

}  // namespace veritee::tdx::detail
