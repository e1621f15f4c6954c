// The report signature: ECDSA P-384 with SHA-384 over bytes [0, 0x2A0), R and S as 72-byte
// little-endian integers (ABI 1.58 Table 137 "ECDSA P-384 with SHA-384 Signature"). Internal.
//
// Two implementations of the same verification (docs/performance.md): GNU Nettle's
// `ecdsa_verify` on secp384r1 (the default: about half OpenSSL 3.0's cost) and OpenSSL's EVP
// (`VERITEE_P384=openssl` in the environment). SHA-384 is OpenSSL's in both (faster than
// Nettle's on these machines). tests/verify/p384_backends_test.cpp and fuzz/fuzz_p384.cpp
// require both to give the same verdict.
#pragma once

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::verify {

enum class P384Backend { kNettle, kOpenssl };

// kOpenssl when the environment has VERITEE_P384=openssl, else kNettle (read once).
P384Backend p384_backend();
const char* to_string(P384Backend backend);

// Ok when the signature verifies with `key`; the error says why not (wrong key type, bad
// signature encoding, mismatch). The first form uses p384_backend().
Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key);
Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key,
                                     P384Backend backend);
// With the signing certificate: on nettle, a P-384 key goes from the certificate's point
// straight to nettle (no EVP_PKEY is built); otherwise as the EVP_PKEY forms.
Result<void> verify_report_signature(const snp::Report& report, const x509::Certificate& signer);

// ECDSA P-384 over SHA-384(message), R and S 48-byte little-endian integers (the report's
// encoding). kInvalidInput: the signature does not verify; kEndorsementInvalid: `key` is not a
// P-384 key; kCrypto: the library failed.
Result<void> verify_p384_sha384(ByteView message, ByteView r_le, ByteView s_le, EVP_PKEY* key,
                                P384Backend backend);

namespace detail {
// Nettle's half, on a digest already computed (p384_nettle.cpp). `key` is known to be P-384.
Result<void> nettle_p384_verify(ByteView digest, ByteView r_le, ByteView s_le, EVP_PKEY* key);
// The same with the key as a 97-byte uncompressed point (x509::Certificate::p384_point());
// kEndorsementInvalid when the point is not on secp384r1.
Result<void> nettle_p384_verify_point(ByteView digest, ByteView r_le, ByteView s_le,
                                      ByteView point);
}  // namespace detail

}  // namespace veritee::verify
