// The Azure confidential-VM HCL report blob read from vTPM NV index 0x01400001 (DESIGN.md 3.8):
//   0x00 u32 signature "HCLA", u32 version, u32 report_size, u32 request_type, u32 status,
//        12 reserved; 0x20 the 0x4A0-byte SNP report; 0x4C0 IGVM request data:
//        u32 data_size, u32 version, u32 report_type, u32 hash_type, u32 variable_data_size,
//        then variable_data_size bytes of runtime claims (JSON).
// REPORT_DATA[0:32] is SHA-256 (hash_type 1) of the runtime claims; hash_type 2 SHA-384 and
// 3 SHA-512 fill more of REPORT_DATA. Every length is bounds-checked.
#pragma once

#include <cstdint>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {

inline constexpr std::uint32_t kHclMagic = 0x414C4348;  // "HCLA" read little endian
inline constexpr std::size_t kHclReportOffset = 0x20;
inline constexpr std::size_t kHclRuntimeDataOffset = kHclReportOffset + kReportSize;  // 0x4C0

struct HclReport {
  std::uint32_t header_version = 0;
  std::uint32_t request_type = 0;
  ByteView report;  // 0x4A0 bytes at 0x20
  std::uint32_t runtime_data_version = 0;
  std::uint32_t report_type = 0;
  std::uint32_t hash_type = 0;  // 1 SHA-256, 2 SHA-384, 3 SHA-512
  ByteView runtime_claims;      // the JSON bytes

  // Whether REPORT_DATA starts with the hash (by hash_type) of the runtime claims.
  Result<bool> runtime_claims_bound() const;
};

// Parses a whole HCL blob. Errc::kTruncated ("truncated HCL report: ...") when the report or
// the runtime claims run past the end; Errc::kInvalidInput for a wrong magic or an unknown
// hash_type. The views point into `blob`.
Result<HclReport> parse_hcl_report(ByteView blob);

}  // namespace veritee::snp
