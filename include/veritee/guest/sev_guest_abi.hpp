// The byte layouts /dev/sev-guest exchanges, built and read with explicit little-endian
// writes and ByteReader (never a struct cast onto a buffer):
//  - Linux include/uapi/linux/sev-guest.h: struct snp_report_req, snp_ext_report_req,
//    snp_derived_key_req, snp_report_resp, snp_derived_key_resp, and the ioctl numbers;
//  - SEV-SNP Firmware ABI 1.58 (AMD doc 56860): MSG_REPORT_REQ (Table 21), MSG_REPORT_RSP
//    (Table 25), MSG_KEY_REQ (Table 19), MSG_KEY_RSP (Table 20), status codes (Table 32, the
//    same numbers as Linux include/uapi/linux/psp-sev.h enum sev_ret_code).
// DESIGN.md 3.7.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::guest {

using ReportData = std::array<std::uint8_t, 64>;
using DerivedKey = std::array<std::uint8_t, 32>;

// _IOWR('S', nr, struct snp_guest_request_ioctl): dir 3 << 30 | size 32 << 16 | 'S' << 8 | nr.
inline constexpr unsigned long kSnpGetReport = 0xC0205300;
inline constexpr unsigned long kSnpGetDerivedKey = 0xC0205301;
inline constexpr unsigned long kSnpGetExtReport = 0xC0205302;
// "message version number (must be non-zero)"; version 1 is the only one the ABI defines.
inline constexpr std::uint8_t kMsgVersion = 1;

// struct snp_guest_request_ioctl, the ioctl argument. The kernel reads it through a pointer,
// so this is the one structure with a C layout; every offset is asserted below.
//   0x00 u8 msg_version, 7 bytes padding, 0x08 u64 req_data, 0x10 u64 resp_data,
//   0x18 u64 exitinfo2 = u32 fw_error (low half) + u32 vmm_error (high half).
struct SnpGuestRequestIoctl {
  std::uint8_t msg_version = kMsgVersion;
  std::uint64_t req_data = 0;   // user address of the request buffer
  std::uint64_t resp_data = 0;  // user address of the response buffer
  std::uint32_t fw_error = 0;   // the firmware's status code (Table 32)
  std::uint32_t vmm_error = 0;  // the hypervisor's / kernel's code (sev-guest.h)
};
static_assert(sizeof(SnpGuestRequestIoctl) == 32);
static_assert(offsetof(SnpGuestRequestIoctl, req_data) == 0x08);
static_assert(offsetof(SnpGuestRequestIoctl, resp_data) == 0x10);
static_assert(offsetof(SnpGuestRequestIoctl, fw_error) == 0x18);
static_assert(offsetof(SnpGuestRequestIoctl, vmm_error) == 0x1C);

// vmm_error values (sev-guest.h SNP_GUEST_VMM_ERR_*).
inline constexpr std::uint32_t kVmmErrInvalidLen = 1;  // certificate buffer too small
inline constexpr std::uint32_t kVmmErrBusy = 2;        // host throttled the request
// The kernel presets exitinfo2 to 0xff and writes it back when the request never reached the
// firmware (drivers/virt/coco/sev-guest/sev-guest.c, snp_guest_ioctl).
inline constexpr std::uint32_t kFwErrNotSent = 0xff;

// Sizes of the uapi buffers.
inline constexpr std::size_t kReportReqSize = 96;       // snp_report_req = MSG_REPORT_REQ
inline constexpr std::size_t kExtReportReqSize = 112;   // snp_ext_report_req (8-aligned)
inline constexpr std::size_t kReportRespSize = 4000;    // snp_report_resp
inline constexpr std::size_t kDerivedKeyReqSize = 32;   // snp_derived_key_req
inline constexpr std::size_t kDerivedKeyRespSize = 64;  // snp_derived_key_resp = MSG_KEY_RSP
inline constexpr std::size_t kPageSize = 4096;
// SEV_FW_BLOB_MAX_SIZE: the kernel refuses a certificate buffer above 16 KiB (EINVAL).
inline constexpr std::size_t kMaxCertsLen = 0x4000;

// snp_report_req / MSG_REPORT_REQ: 0x00 REPORT_DATA[64], 0x40 u32 VMPL, 0x44 reserved[28].
Bytes encode_report_req(const ReportData& report_data, std::uint32_t vmpl);
// snp_ext_report_req: the report request, then 0x60 u64 certs_address, 0x68 u32 certs_len,
// 0x6C 4 bytes padding.
Bytes encode_ext_report_req(const ReportData& report_data, std::uint32_t vmpl,
                            std::uint64_t certs_address, std::uint32_t certs_len);
// certs_len as the kernel wrote it back into a snp_ext_report_req (after INVALID_LEN).
Result<std::uint32_t> ext_report_req_certs_len(ByteView ext_req);

// MSG_REPORT_RSP: 0x00 u32 STATUS, 0x04 u32 REPORT_SIZE, 0x08 reserved[24], 0x20 REPORT.
// Returns the report bytes (a copy of exactly REPORT_SIZE = 0x4A0 bytes). A non-zero STATUS
// is an error naming the status; so is any other REPORT_SIZE.
Result<Bytes> decode_report_resp(ByteView resp);

// MSG_KEY_RSP: 0x00 u32 STATUS, 0x04 reserved[28], 0x20 DERIVED_KEY[32].
Result<DerivedKey> decode_derived_key_resp(ByteView resp);

// "INVALID_PARAM (0x16)", "unknown status 0x42".
std::string fw_status_name(std::uint32_t status);
// A sentence for a failed ioctl: errno, fw_error and vmm_error decoded, with what it means
// for the guest (a firmware error makes the kernel disable the VMPCK until reboot).
std::string describe_ioctl_failure(unsigned long request, int err, std::uint32_t fw_error,
                                   std::uint32_t vmm_error);

}  // namespace veritee::guest
