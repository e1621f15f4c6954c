// ECDSA signature encodings: OpenSSL speaks DER (Ecdsa-Sig-Value, RFC 3279 section 2.2.3);
// JOSE (RFC 7518 section 3.4) and Intel DCAP carry r || s as fixed-size big-endian integers.
// One conversion for both, through OpenSSL's ECDSA_SIG.
#pragma once

#include <cstddef>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::x509 {

// r || s (each half of `raw`, big endian) as DER; an empty or odd-sized input is an error.
Result<Bytes> ecdsa_raw_to_der(ByteView raw);
// DER as r || s of `size` bytes in all (64 for P-256, 96 for P-384).
Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t size);

}  // namespace veritee::x509
