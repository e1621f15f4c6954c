// The PCK certificate's Intel SGX extensions (Intel "SGX PCK Certificate and Certificate
// Revocation List Profile Specification", section 1.3.5 "Intel SGX Extensions"): OID arc
// 1.2.840.113741.1.13.1, decoded through OpenSSL's ASN.1 parser.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/common/error.hpp"

namespace veritee::tdx {

struct PckExtensions {
  Bytes ppid;                                       // .1, 16
  std::array<std::uint8_t, 16> cpusvn_components{};  // .2.1 - .2.16 (SGX TCB Comp01..16 SVN)
  std::uint16_t pcesvn = 0;                         // .2.17
  Bytes cpusvn;                                     // .2.18, 16
  Bytes pce_id;                                     // .3, 2
  Bytes fmspc;                                      // .4, 6
  std::int64_t sgx_type = 0;                        // .5: 0 Standard, 1 Scalable, 2 Scalable+
};

// The extensions of a PCK certificate; absent, malformed or incomplete ones are an error.
Result<PckExtensions> pck_extensions(const x509::Certificate& pck);

}  // namespace veritee::tdx
