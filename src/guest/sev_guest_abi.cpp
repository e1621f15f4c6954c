// Byte layouts of the /dev/sev-guest requests and responses (see sev_guest_abi.hpp).
#include "veritee/guest/sev_guest_abi.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "veritee/common/byte_writer.hpp"
#include "veritee/common/byte_reader.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::guest {
namespace {

// MSG_REPORT_REQ (ABI 1.58 Table 21).
constexpr std::size_t kReqReportData = 0x00;
constexpr std::size_t kReqVmpl = 0x40;
// snp_ext_report_req after the embedded snp_report_req.
constexpr std::size_t kExtCertsAddress = 0x60;
constexpr std::size_t kExtCertsLen = 0x68;
// MSG_REPORT_RSP (Table 25) and MSG_KEY_RSP (Table 20).
constexpr std::size_t kRspStatus = 0x00;
constexpr std::size_t kRspReportSize = 0x04;
constexpr std::size_t kRspReport = 0x20;
constexpr std::size_t kKeyRspKey = 0x20;

std::string hex32(std::uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

const char* request_name(unsigned long request) {
  switch (request) {
    case kSnpGetReport:
      return "SNP_GET_REPORT";
    case kSnpGetDerivedKey:
      return "SNP_GET_DERIVED_KEY";
    case kSnpGetExtReport:
      return "SNP_GET_EXT_REPORT";
    default:
      return "unknown ioctl";
  }
}

}  // namespace

Bytes encode_report_req(const ReportData& report_data, std::uint32_t vmpl) {
  Bytes out(kReportReqSize, 0);
  std::copy(report_data.begin(), report_data.end(), out.begin() + kReqReportData);
  put_le(out, kReqVmpl, vmpl);
  return out;  // 0x44..0x60 reserved, zero
}

Bytes encode_ext_report_req(const ReportData& report_data, std::uint32_t vmpl,
                            std::uint64_t certs_address, std::uint32_t certs_len) {
  Bytes out = encode_report_req(report_data, vmpl);
  out.resize(kExtReportReqSize, 0);
  put_le(out, kExtCertsAddress, certs_address);
  put_le(out, kExtCertsLen, certs_len);
  return out;
}

Result<std::uint32_t> ext_report_req_certs_len(ByteView ext_req) {
  auto v = ByteReader(ext_req).le_at<std::uint32_t>(kExtCertsLen);
  if (!v) return fail(Errc::kTruncated, "snp_ext_report_req shorter than 0x6C bytes");
  return *v;
}

Result<Bytes> decode_report_resp(ByteView resp) {
  ByteReader r(resp);
  auto status = r.le_at<std::uint32_t>(kRspStatus);
  auto size = r.le_at<std::uint32_t>(kRspReportSize);
  if (!status || !size) return fail(Errc::kTruncated, "MSG_REPORT_RSP shorter than its header");
  if (*status != 0) {
    return fail(Errc::kIo, "the firmware answered MSG_REPORT_RSP STATUS " +
                               fw_status_name(*status) + " (no report)");
  }
  if (*size != snp::kReportSize) {
    return fail(Errc::kInvalidInput,
                "MSG_REPORT_RSP REPORT_SIZE is " + hex32(*size) + ", expected 0x4a0");
  }
  auto report = r.bytes_at(kRspReport, snp::kReportSize);
  if (!report) return fail(Errc::kTruncated, "MSG_REPORT_RSP ends inside the report");
  return Bytes(report->begin(), report->end());
}

Result<DerivedKey> decode_derived_key_resp(ByteView resp) {
  ByteReader r(resp);
  auto status = r.le_at<std::uint32_t>(kRspStatus);
  auto key = r.bytes_at(kKeyRspKey, sizeof(DerivedKey));
  if (!status || !key) return fail(Errc::kTruncated, "MSG_KEY_RSP shorter than 0x40 bytes");
  if (*status != 0) {
    return fail(Errc::kIo, "the firmware answered MSG_KEY_RSP STATUS " + fw_status_name(*status) +
                               " (no key)");
  }
  DerivedKey out{};
  std::copy(key->begin(), key->end(), out.begin());
  return out;
}

std::string fw_status_name(std::uint32_t status) {
  // ABI 1.58 Table 32 "Status Codes", as Linux include/uapi/linux/psp-sev.h enum
  // sev_ret_code numbers them (0x1E is unassigned).
  static constexpr const char* kNames[] = {"SUCCESS",
                                           "INVALID_PLATFORM_STATE",
                                           "INVALID_GUEST_STATE",
                                           "INVALID_CONFIG",
                                           "INVALID_LENGTH",
                                           "ALREADY_OWNED",
                                           "INVALID_CERTIFICATE",
                                           "POLICY_FAILURE",
                                           "INACTIVE",
                                           "INVALID_ADDRESS",
                                           "BAD_SIGNATURE",
                                           "BAD_MEASUREMENT",
                                           "ASID_OWNED",
                                           "INVALID_ASID",
                                           "WBINVD_REQUIRED",
                                           "DF_FLUSH_REQUIRED",
                                           "INVALID_GUEST",
                                           "INVALID_COMMAND",
                                           "ACTIVE",
                                           "HWERROR_PLATFORM",
                                           "HWERROR_UNSAFE",
                                           "UNSUPPORTED",
                                           "INVALID_PARAM",
                                           "RESOURCE_LIMIT",
                                           "SECURE_DATA_INVALID",
                                           "INVALID_PAGE_SIZE",
                                           "INVALID_PAGE_STATE",
                                           "INVALID_MDATA_ENTRY",
                                           "INVALID_PAGE_OWNER",
                                           "AEAD_OFLOW",
                                           nullptr,
                                           "EXIT_RING_BUFFER",
                                           "RMP_INIT_REQUIRED",
                                           "BAD_SVN",
                                           "BAD_VERSION",
                                           "SHUTDOWN_REQUIRED",
                                           "UPDATE_FAILED",
                                           "RESTORE_REQUIRED",
                                           "RMP_INITIALIZATION_FAILED",
                                           "INVALID_KEY"};
  if (status < std::size(kNames) && kNames[status]) {
    return std::string(kNames[status]) + " (" + hex32(status) + ")";
  }
  return "unknown status " + hex32(status);
}

std::string describe_ioctl_failure(unsigned long request, int err, std::uint32_t fw_error,
                                   std::uint32_t vmm_error) {
  std::string out = std::string(request_name(request)) + " failed: " + std::strerror(err);
  if (err == ENOTTY) {
    return out +
           " (the kernel has disabled the VMPCK after an earlier failed request: no "
           "guest request works until the VM reboots)";
  }
  if (vmm_error == kVmmErrInvalidLen)
    out += "; host: certificate buffer too small (INVALID_LEN)";
  else if (vmm_error == kVmmErrBusy)
    out += "; host: busy, request throttled (BUSY)";
  else if (vmm_error != 0)
    out += "; host error " + hex32(vmm_error);
  if (fw_error == kFwErrNotSent) {
    out += "; the request did not reach the firmware";
  } else if (fw_error != 0) {
    out += "; firmware: " + fw_status_name(fw_error) +
           " (the kernel disables the VMPCK after a firmware error: later requests fail with "
           "ENOTTY until reboot)";
  }
  return out;
}

}  // namespace veritee::guest
