// ECDSA signatures in JOSE form (RFC 7518 section 3.4): R || S as fixed-size big-endian
// integers, where OpenSSL speaks DER (Ecdsa-Sig-Value, RFC 3279 section 2.2.3).
#pragma once

#include <cstddef>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::rats::detail {

Result<Bytes> der_to_jose(ByteView der, std::size_t size);   // size: 64 or 96
Result<Bytes> jose_to_der(ByteView raw);                     // raw.size() even

}  // namespace veritee::rats::detail
