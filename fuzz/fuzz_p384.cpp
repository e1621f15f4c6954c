// Differential fuzzing of the report signature's two ECDSA P-384 backends (nettle and OpenSSL,
// src/verify/report_signature.hpp): the same message, R, S and key go to both, and any
// difference in the verdict aborts. The input chooses:
//   byte 0, bit 0: R and S from the input (random), or a real signature over the message made
//                  by OpenSSL with a key generated at start-up, optionally with one bit flipped
//   byte 0, bit 1: the key from the input (an uncompressed point; inputs off the curve are
//                  dropped, as no certificate can carry one), or the generated key
//   bytes 1-2:     which bit of R||S to flip (>= 768: none)
// then 96 bytes of R||S (little-endian, as in a report) and 97 of key when used, then the
// message. Signing and verifying are OpenSSL's and nettle's; nothing here computes on the curve.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "verify/report_signature.hpp"

namespace {

using veritee::ByteView;
using veritee::verify::P384Backend;

constexpr std::size_t kScalar = 48;

EVP_PKEY* generated_key() {
  static EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  return key;
}

// A signature over `message` by the generated key, as little-endian R||S.
bool sign(ByteView message, std::array<std::uint8_t, 2 * kScalar>& rs) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::array<unsigned char, 128> der{};
  std::size_t der_len = der.size();
  const bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha384(), nullptr,
                                            generated_key()) == 1 &&
                  EVP_DigestSign(ctx, der.data(), &der_len, message.data(), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return false;
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
  if (!sig) return false;
  const bool out = BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), rs.data(), kScalar) == kScalar &&
                   BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), rs.data() + kScalar, kScalar) == kScalar;
  ECDSA_SIG_free(sig);
  return out;
}

// An EC P-384 key from an encoded point, or nullptr when OpenSSL refuses it (off the curve).
EVP_PKEY* key_from_point(ByteView point) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  if (!bld) return nullptr;
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3 + 2 * kScalar) return 0;
  const std::uint8_t mode = data[0];
  const std::size_t flip = static_cast<std::size_t>(data[1]) << 8 | data[2];
  std::size_t at = 3;
  std::array<std::uint8_t, 2 * kScalar> rs{};
  for (std::size_t i = 0; i < rs.size(); ++i) rs[i] = data[at + i];
  at += rs.size();

  EVP_PKEY* key = generated_key();
  EVP_PKEY* own_key = nullptr;
  if (mode & 2) {
    constexpr std::size_t kPoint = 1 + 2 * kScalar;
    if (size < at + kPoint) return 0;
    std::array<std::uint8_t, kPoint> point{};
    for (std::size_t i = 0; i < kPoint; ++i) point[i] = data[at + i];
    point[0] = 0x04;  // uncompressed
    at += kPoint;
    own_key = key_from_point(ByteView(point.data(), point.size()));
    if (!own_key) return 0;
    key = own_key;
  }
  const ByteView message(data + at, size - at);
  if (!(mode & 1) && !sign(message, rs)) std::abort();
  if (flip < 8 * rs.size()) rs[flip / 8] = static_cast<std::uint8_t>(rs[flip / 8] ^ (1u << (flip % 8)));

  const ByteView r(rs.data(), kScalar);
  const ByteView s(rs.data() + kScalar, kScalar);
  auto nettle = veritee::verify::verify_p384_sha384(message, r, s, key, P384Backend::kNettle);
  auto openssl = veritee::verify::verify_p384_sha384(message, r, s, key, P384Backend::kOpenssl);
  if (nettle.has_value() != openssl.has_value()) std::abort();
  if (!nettle && nettle.error().code != openssl.error().code) std::abort();
  // A real signature, unflipped, over the message by the generated key must verify.
  if (!(mode & 3) && flip >= 8 * rs.size() && !nettle) std::abort();
  EVP_PKEY_free(own_key);
  return 0;
}
