// A test double for /dev/sev-guest that follows the kernel's and firmware's contract
// (drivers/virt/coco/sev-guest/sev-guest.c; SEV-SNP ABI 1.58 chapter 7):
//  - msg_version 0, or a null request/response address: EINVAL;
//  - exitinfo2 preset to 0xff and written back only when the request failed;
//  - SNP_GET_EXT_REPORT: certs_len above 16 KiB or not page aligned: EINVAL; smaller than the
//    host's table (rounded up to pages): EIO, vmm_error INVALID_LEN, the needed length written
//    into the caller's certs_len, and no report;
//  - an injected firmware error: EIO with fw_error set, and the VMPCK is wiped: every later
//    request fails with ENOTTY;
//  - MSG_REPORT_REQ with VMPL below the guest's, above 3, or reserved bytes set: the response
//    carries STATUS INVALID_PARAM (0x16) and no report.
// It answers with a real report (from the corpus), by default exactly as given.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/guest/sev_guest_device.hpp"

namespace veritee::test {

class FakeSevGuest final : public guest::SevGuestDevice {
 public:
  explicit FakeSevGuest(Bytes answer) : report(std::move(answer)) {}
  int ioctl(unsigned long request, void* arg) override;

  Bytes report;                     // what the firmware answers
  std::optional<Bytes> host_certs;  // the host's certificate table; nullopt: none
  bool patch_request = false;       // write the requested REPORT_DATA and VMPL into the copy
  std::uint32_t guest_vmpl = 0;     // the VMPL this guest runs at
  std::optional<std::uint32_t> fail_next_with_fw_error;

  bool vmpck_wiped = false;
  int report_requests = 0, ext_report_requests = 0, key_requests = 0;
  std::vector<std::uint32_t> certs_lens_seen;  // certs_len of each SNP_GET_EXT_REPORT
  std::vector<Bytes> key_request_bytes;        // every snp_derived_key_req received

 private:
  int answer_report(const std::uint8_t* req, std::uint8_t* resp);
};

}  // namespace veritee::test
