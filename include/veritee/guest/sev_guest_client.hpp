// The three /dev/sev-guest requests, over any SevGuestDevice: SNP_GET_REPORT,
// SNP_GET_EXT_REPORT (with the certificate-buffer size probe and retry) and
// SNP_GET_DERIVED_KEY (only after the local guards of derived_key.hpp).
#pragma once

#include <cstdint>
#include <optional>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/guest/derived_key.hpp"
#include "veritee/guest/sev_guest_abi.hpp"
#include "veritee/guest/sev_guest_device.hpp"

namespace veritee::guest {

struct IoctlReport {
  Bytes report;                        // exactly the 0x4A0 report bytes of MSG_REPORT_RSP
  std::optional<Bytes> cert_table;     // extended report only; nullopt when the host gave none
  std::uint32_t certs_buffer_len = 0;  // the certificate buffer length that was accepted
  int attempts = 0;                    // ioctls sent (2 after an INVALID_LEN probe)
};

class SevGuestClient {
 public:
  explicit SevGuestClient(SevGuestDevice& device) : device_(&device) {}

  // SNP_GET_REPORT. Device, kernel and firmware failures are Errc::kIo with
  // describe_ioctl_failure's sentence; a non-zero MSG_REPORT_RSP status likewise.
  Result<IoctlReport> get_report(const ReportData& report_data, std::uint32_t vmpl);

  // SNP_GET_EXT_REPORT: first with one page for the certificate table; when the kernel answers
  // EIO with vmm_error INVALID_LEN and the needed length in certs_len, once more with that
  // length (at most kMaxCertsLen, the kernel's limit). The table is trimmed to what its
  // entries cover; an all-zero buffer (the host provided none) gives nullopt.
  Result<IoctlReport> get_ext_report(const ReportData& report_data, std::uint32_t vmpl);

  // SNP_GET_DERIVED_KEY, guarded: requests a fresh report at request.vmpl, refuses locally
  // (Errc::kUnsupported, no key request sent) whatever check_derived_key_request or
  // check_uapi_can_carry reject, and only then sends the request.
  Result<DerivedKey> get_derived_key(const DerivedKeyRequest& request);

 private:
  int send(unsigned long request, Bytes& req, Bytes& resp, SnpGuestRequestIoctl& arg);
  SevGuestDevice* device_;
};

// The certificate table inside a zero-padded buffer: cut after the last byte any entry (or the
// terminating entry) covers; nullopt when the first entry is the terminator.
Result<std::optional<Bytes>> trim_cert_table(ByteView buffer);

}  // namespace veritee::guest
