// SHA-2 digests and HMAC through OpenSSL EVP (one home for every one-shot digest), and a
// constant-time comparison. Digests fail only when OpenSSL does (Errc::kCrypto).
#pragma once

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee {

enum class DigestAlg { kSha256, kSha384, kSha512 };

Result<Bytes> digest(DigestAlg alg, ByteView data);
inline Result<Bytes> sha256(ByteView data) { return digest(DigestAlg::kSha256, data); }
inline Result<Bytes> sha384(ByteView data) { return digest(DigestAlg::kSha384, data); }
inline Result<Bytes> sha512(ByteView data) { return digest(DigestAlg::kSha512, data); }
Result<Bytes> hmac_sha256(ByteView key, ByteView data);
// Constant-time equality of two byte strings (CRYPTO_memcmp); false when sizes differ.
bool equal_ct(ByteView a, ByteView b);

}  // namespace veritee
