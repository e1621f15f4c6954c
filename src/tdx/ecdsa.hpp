// ECDSA-P256-SHA256 with the raw encodings DCAP uses: signatures as r || s and the attestation
// key as x || y (32-byte big-endian integers each). Internal to libveritee_tdx.
#pragma once

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::tdx::detail {

// The P-256 public key of a raw x || y point; a point off the curve is an error.
Result<ossl::PkeyPtr> p256_key(ByteView xy);
// Ok when `signature` (r || s) over `data` verifies with `key` (which must be EC P-256).
Result<void> verify_p256(EVP_PKEY* key, ByteView data, ByteView signature);

}  // namespace veritee::tdx::detail
