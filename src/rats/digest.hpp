// SHA-2 and HMAC through OpenSSL EVP, for the rats module's nonces, policy ids and JOSE.
#pragma once

#include "veritee/bytes.hpp"

namespace veritee::rats::detail {

Bytes sha256(ByteView data);
Bytes sha512(ByteView data);
Bytes hmac_sha256(ByteView key, ByteView data);
// Constant-time equality of two byte strings (CRYPTO_memcmp); false when sizes differ.
bool equal_ct(ByteView a, ByteView b);

}  // namespace veritee::rats::detail
