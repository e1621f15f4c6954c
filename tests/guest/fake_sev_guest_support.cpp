#include <algorithm>
#include <cerrno>
#include <cstring>

#include "fake_sev_guest.hpp"
#include "support/corpus.hpp"
#include "veritee/guest/sev_guest_abi.hpp"

namespace veritee::test {
namespace {

template <class T>
T* user_pointer(std::uint64_t address) {
  return reinterpret_cast<T*>(static_cast<std::uintptr_t>(address));
}

void put32(std::uint8_t* at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get32(const std::uint8_t* at) {
  return std::uint32_t(at[0]) | std::uint32_t(at[1]) << 8 | std::uint32_t(at[2]) << 16 |
         std::uint32_t(at[3]) << 24;
}
std::uint64_t get64(const std::uint8_t* at) {
  return std::uint64_t(get32(at)) | std::uint64_t(get32(at + 4)) << 32;
}

}  // namespace

int FakeSevGuest::answer_report(const std::uint8_t* req, std::uint8_t* resp) {
  std::memset(resp, 0, guest::kReportRespSize);
  const std::uint32_t vmpl = get32(req + 0x40);
  const bool reserved_clear = std::all_of(req + 0x44, req + 0x60, [](auto b) { return b == 0; });
  if (vmpl < guest_vmpl || vmpl > 3 || !reserved_clear) {
    put32(resp, 0x16);  // STATUS INVALID_PARAM, REPORT_SIZE 0
    return 0;
  }
  put32(resp + 4, static_cast<std::uint32_t>(report.size()));
  std::copy(report.begin(), report.end(), resp + 0x20);
  if (patch_request) {
    std::copy(req, req + 64, resp + 0x20 + 0x50);
    put32(resp + 0x20 + 0x30, vmpl);
  }
  return 0;
}

int FakeSevGuest::ioctl(unsigned long request, void* arg) {
  auto* io = static_cast<guest::SnpGuestRequestIoctl*>(arg);
  auto fail_with = [io](int err, std::uint32_t fw, std::uint32_t vmm) {
    io->fw_error = fw;
    io->vmm_error = vmm;
    return err;
  };
  if (io->msg_version == 0) return fail_with(EINVAL, 0xff, 0);
  if (vmpck_wiped) return fail_with(ENOTTY, 0xff, 0);
  if (io->req_data == 0 || io->resp_data == 0) return fail_with(EINVAL, 0xff, 0);
  if (request == guest::kSnpGetReport)
    ++report_requests;
  else if (request == guest::kSnpGetExtReport)
    ++ext_report_requests;
  else if (request == guest::kSnpGetDerivedKey)
    ++key_requests;
  else
    return ENOTTY;
  if (fail_next_with_fw_error) {
    const std::uint32_t fw = *fail_next_with_fw_error;
    fail_next_with_fw_error.reset();
    vmpck_wiped = true;  // the kernel's snp_disable_vmpck()
    return fail_with(EIO, fw, 0);
  }

  auto* req = user_pointer<std::uint8_t>(io->req_data);
  auto* resp = user_pointer<std::uint8_t>(io->resp_data);
  if (request == guest::kSnpGetReport) return answer_report(req, resp);

  if (request == guest::kSnpGetExtReport) {
    const std::uint64_t certs_address = get64(req + 0x60);
    const std::uint32_t certs_len = get32(req + 0x68);
    certs_lens_seen.push_back(certs_len);
    if (certs_len != 0 && certs_address != 0) {
      if (certs_len > guest::kMaxCertsLen || certs_len % guest::kPageSize != 0) {
        return fail_with(EINVAL, 0xff, 0);
      }
      const std::size_t table = host_certs ? host_certs->size() : 0;
      const std::size_t needed =
          (table + guest::kPageSize - 1) / guest::kPageSize * guest::kPageSize;
      if (needed > certs_len) {
        put32(req + 0x68, static_cast<std::uint32_t>(needed));
        return fail_with(EIO, 0, guest::kVmmErrInvalidLen);
      }
      auto* certs = user_pointer<std::uint8_t>(certs_address);
      std::memset(certs, 0, certs_len);
      if (host_certs) std::copy(host_certs->begin(), host_certs->end(), certs);
    }
    return answer_report(req, resp);
  }

  // SNP_GET_DERIVED_KEY: the uapi request is 32 bytes; MSG_KEY_RSP is 64.
  key_request_bytes.emplace_back(req, req + guest::kDerivedKeyReqSize);
  std::memset(resp, 0, guest::kDerivedKeyRespSize);
  if (get32(req + 0x14) > le32(report, 0x04)) {  // GUEST_SVN above the guest's
    put32(resp, 0x16);
    return 0;
  }
  for (std::size_t i = 0; i < 32; ++i) {
    resp[0x20 + i] = static_cast<std::uint8_t>(req[i] ^ 0xA5 ^ i);
  }
  return 0;
}

}  // namespace veritee::test
