// ECDSA-P256-SHA256 with the raw encodings DCAP uses: signatures as r || s and the attestation
// key as x || y (32-byte big-endian integers each). Internal to libveritee_tdx.
//
// On OpenSSL's EVP API (its P-256 is assembly, ecp_nistz256: about 0.8 M instructions a
// verification, where nettle's ecdsa_verify on secp256r1 takes 2.1 M; docs/performance.md).
// A verifier sees the same few keys again and again (the PCK key of each platform, its QE's
// attestation key), so each thread keeps the last keys it used ready: the EVP_PKEY of a raw
// point built and checked once, the EVP_PKEY_CTX initialised once. Per signature: one SHA-256,
// the DER signature built on the stack, one EVP_PKEY_verify.
#pragma once

#include <array>
#include <initializer_list>

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::tdx::detail {

// The P-256 public key of a raw x || y point; a point off the curve is an error.
Result<ossl::PkeyPtr> p256_key(ByteView xy);

// A P-256 key ready to verify with, held by this thread's cache: usable until the thread's
// next p256_prepared call (the cache holds 16 keys, round-robin).
struct PreparedP256 {
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;  // EVP_PKEY_verify_init done
};
// The key of a raw x || y point (kInvalidInput when it is not a point on P-256).
Result<PreparedP256> p256_prepared(ByteView xy);
// An EC P-256 key (kEndorsementInvalid for another key).
Result<PreparedP256> p256_prepared(EVP_PKEY* key);

// Ok when `signature` (r || s) over `data` verifies (kInvalidInput when it does not).
Result<void> verify_p256(const PreparedP256& key, ByteView data, ByteView signature);
Result<void> verify_p256(EVP_PKEY* key, ByteView data, ByteView signature);

// SHA-256 of the concatenated parts, through OpenSSL with the digest fetched once.
Result<std::array<unsigned char, 32>> sha256(std::initializer_list<ByteView> parts);

}  // namespace veritee::tdx::detail
