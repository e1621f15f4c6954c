// Derived-key requests (MSG_KEY_REQ, SEV-SNP Firmware ABI 1.58 Table 19) and the local guards
// that keep a request the firmware cannot take from ever being sent (DESIGN.md invariant 7).
//   0x00 u32 ROOT_KEY_SELECT: bit 0 ROOT_KEY_SEL (0 VCEK, 1 VMRK); bits 2:1 KEY_SEL (left 0:
//        the firmware's default); 31:3 reserved
//   0x04 u32 reserved
//   0x08 u64 GUEST_FIELD_SELECT: bit 0 GUEST_POLICY, 1 IMAGE_ID, 2 FAMILY_ID, 3 MEASUREMENT,
//        4 GUEST_SVN, 5 TCB_VERSION, 6 LAUNCH_MIT_VECTOR (ABI 1.58), 63:7 reserved
//   0x10 u32 VMPL         must be >= the VMPL of the requesting guest
//   0x14 u32 GUEST_SVN    must not exceed the GUEST_SVN the guest was launched with
//   0x18 u64 TCB_VERSION  must not exceed COMMITTED_TCB
//   0x20 u64 LAUNCH_MIT_VECTOR (ABI 1.58)
// Linux's struct snp_derived_key_req (include/uapi/linux/sev-guest.h) is the first 0x20
// bytes only, and the kernel sends exactly sizeof(struct snp_derived_key_req): the launch
// mitigation vector cannot reach the firmware through /dev/sev-guest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::guest {

enum class RootKey : std::uint32_t { kVcek = 0, kVmrk = 1 };

namespace field {
inline constexpr std::uint64_t kGuestPolicy = 1U << 0;
inline constexpr std::uint64_t kImageId = 1U << 1;
inline constexpr std::uint64_t kFamilyId = 1U << 2;
inline constexpr std::uint64_t kMeasurement = 1U << 3;
inline constexpr std::uint64_t kGuestSvn = 1U << 4;
inline constexpr std::uint64_t kTcbVersion = 1U << 5;
inline constexpr std::uint64_t kLaunchMitVector = 1U << 6;  // ABI 1.58
inline constexpr std::uint64_t kKnownMask = (1U << 7) - 1;
}  // namespace field

struct DerivedKeyRequest {
  RootKey root = RootKey::kVcek;
  std::uint64_t guest_field_select = 0;
  std::uint32_t vmpl = 0;
  std::uint32_t guest_svn = 0;
  std::uint64_t tcb_version = 0;
  std::uint64_t launch_mit_vector = 0;
};

// "policy,image,family,measurement,svn,tcb,launch-mit" (any subset, any order; "" is none).
Result<std::uint64_t> parse_field_names(std::string_view list);
std::string field_names(std::uint64_t guest_field_select);

// The full MSG_KEY_REQ (0x28 bytes: the fields above) and the uapi prefix the kernel takes.
Bytes encode_msg_key_req(const DerivedKeyRequest& request);
Bytes encode_derived_key_req(const DerivedKeyRequest& request);  // kDerivedKeyReqSize bytes

// Whether the firmware that produced `fresh` (a report just requested at request.vmpl) can
// take `request`. Errc::kUnsupported, naming the field, the value and the limit with its
// source, when it cannot:
//  - GUEST_FIELD_SELECT bits 63:7 are reserved;
//  - LAUNCH_MIT_VECTOR (selected, or a non-zero value) needs firmware ABI >= 1.58, read from
//    the report's CURRENT_MAJOR (0x1EA) and CURRENT_MINOR (0x1E9);
//  - GUEST_SVN above the report's GUEST_SVN (0x004);
//  - TCB_VERSION above the report's COMMITTED_TCB (0x1E0), compared SPL by SPL (each byte,
//    so no product layout is needed), which also refuses anything above CURRENT_TCB;
//  - VMPL above 3.
Result<void> check_derived_key_request(const DerivedKeyRequest& request, const snp::Report& fresh);

// Whether the Linux uapi can carry the request: it has no LAUNCH_MIT_VECTOR (see above).
Result<void> check_uapi_can_carry(const DerivedKeyRequest& request);

}  // namespace veritee::guest
