// The report signature: ECDSA P-384 with SHA-384 over bytes [0, 0x2A0), R and S as 72-byte
// little-endian integers (ABI 1.58 Table 137 "ECDSA P-384 with SHA-384 Signature"). Internal.
#pragma once

#include <openssl/types.h>

#include "veritee/common/error.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::verify {

// Ok when the signature verifies with `key`; the error says why not (wrong key type, bad
// signature encoding, mismatch).
Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key);

}  // namespace veritee::verify
