// SNP_GET_REPORT, SNP_GET_EXT_REPORT and SNP_GET_DERIVED_KEY over a SevGuestDevice.
// Kernel behaviour relied on (drivers/virt/coco/sev-guest/sev-guest.c): a certificate buffer
// must be page aligned in length and at most SEV_FW_BLOB_MAX_SIZE; when it is too small the
// kernel answers EIO, vmm_error INVALID_LEN, writes the needed length into certs_len, and
// (to keep the message sequence numbers in step) has already re-sent a plain report request.
#include "veritee/guest/sev_guest_client.hpp"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "veritee/common/byte_reader.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::guest {
namespace {

constexpr std::size_t kCertEntrySize = 24;  // GUID[16], u32 offset, u32 length

std::uint64_t address_of(Bytes& buffer) {
  return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(buffer.data()));
}

}  // namespace

int SevGuestClient::send(unsigned long request, Bytes& req, Bytes& resp,
                         SnpGuestRequestIoctl& arg) {
  arg = SnpGuestRequestIoctl{};
  arg.req_data = address_of(req);
  arg.resp_data = address_of(resp);
  return device_->ioctl(request, &arg);
}

Result<IoctlReport> SevGuestClient::get_report(const ReportData& report_data, std::uint32_t vmpl) {
  Bytes req = encode_report_req(report_data, vmpl);
  Bytes resp(kReportRespSize, 0);
  SnpGuestRequestIoctl arg;
  if (int err = send(kSnpGetReport, req, resp, arg)) {
    return fail(Errc::kIo, describe_ioctl_failure(kSnpGetReport, err, arg.fw_error, arg.vmm_error));
  }
  auto report = decode_report_resp(resp);
  if (!report) return std::unexpected(report.error());
  return IoctlReport{std::move(*report), std::nullopt, 0, 1};
}

Result<IoctlReport> SevGuestClient::get_ext_report(const ReportData& report_data,
                                                   std::uint32_t vmpl) {
  std::uint32_t certs_len = kPageSize;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Bytes certs(certs_len, 0);
    Bytes req = encode_ext_report_req(report_data, vmpl, address_of(certs), certs_len);
    Bytes resp(kReportRespSize, 0);
    SnpGuestRequestIoctl arg;
    int err = send(kSnpGetExtReport, req, resp, arg);
    if (err == EIO && arg.vmm_error == kVmmErrInvalidLen) {
      auto needed = ext_report_req_certs_len(req);
      if (!needed) return std::unexpected(needed.error());
      if (*needed <= certs_len || *needed % kPageSize != 0) {
        return fail(Errc::kIo, "SNP_GET_EXT_REPORT: INVALID_LEN with an unusable length " +
                                   std::to_string(*needed) + " for a buffer of " +
                                   std::to_string(certs_len) + " bytes");
      }
      if (*needed > kMaxCertsLen) {
        return fail(Errc::kIo, "the host's certificate table needs " + std::to_string(*needed) +
                                   " bytes, above the kernel's limit of 16 KiB");
      }
      certs_len = *needed;
      continue;
    }
    if (err) {
      return fail(Errc::kIo,
                  describe_ioctl_failure(kSnpGetExtReport, err, arg.fw_error, arg.vmm_error));
    }
    auto report = decode_report_resp(resp);
    if (!report) return std::unexpected(report.error());
    auto table = trim_cert_table(certs);
    if (!table) return std::unexpected(table.error());
    return IoctlReport{std::move(*report), std::move(*table), certs_len, attempt};
  }
  return fail(Errc::kIo, "SNP_GET_EXT_REPORT: the certificate table kept growing (3 attempts)");
}

Result<DerivedKey> SevGuestClient::get_derived_key(const DerivedKeyRequest& request) {
  if (request.vmpl > 3) {
    return fail(Errc::kUnsupported,
                "refused before sending: VMPL " + std::to_string(request.vmpl) + " is above 3");
  }
  // The firmware facts the guards need come from a report requested now, at the same VMPL:
  // if the firmware refuses that report, it would refuse the key request too.
  Bytes req = encode_report_req(ReportData{}, request.vmpl);
  Bytes resp(kReportRespSize, 0);
  SnpGuestRequestIoctl arg;
  if (int err = send(kSnpGetReport, req, resp, arg)) {
    return fail(Errc::kIo, describe_ioctl_failure(kSnpGetReport, err, arg.fw_error, arg.vmm_error));
  }
  auto report_bytes = decode_report_resp(resp);
  if (!report_bytes) {
    return fail(Errc::kUnsupported,
                "refused before sending the key request: the report "
                "requested at VMPL " +
                    std::to_string(request.vmpl) +
                    " to read the firmware's limits failed: " + report_bytes.error().message);
  }
  auto fresh = snp::Report::parse(*report_bytes);
  if (!fresh) return fail_within(fresh, "the fresh report does not parse", Errc::kIo);
  if (auto ok = check_derived_key_request(request, *fresh); !ok) {
    return fail_within(ok, "refused before sending", Errc::kUnsupported);
  }
  if (auto ok = check_uapi_can_carry(request); !ok) {
    return fail_within(ok, "refused before sending", Errc::kUnsupported);
  }

  Bytes key_req = encode_derived_key_req(request);
  Bytes key_resp(kDerivedKeyRespSize, 0);
  int err = send(kSnpGetDerivedKey, key_req, key_resp, arg);
  Result<DerivedKey> key =
      err ? Result<DerivedKey>(fail(Errc::kIo, describe_ioctl_failure(kSnpGetDerivedKey, err,
                                                                      arg.fw_error, arg.vmm_error)))
          : decode_derived_key_resp(key_resp);
  explicit_bzero(key_resp.data(), key_resp.size());
  return key;
}

Result<std::optional<Bytes>> trim_cert_table(ByteView buffer) {
  ByteReader r(buffer);
  std::size_t end = 0;
  for (std::size_t at = 0;; at += kCertEntrySize) {
    auto entry = r.bytes_at(at, kCertEntrySize);
    if (!entry) {
      return fail(Errc::kInvalidInput, "certificate table without its terminating all-zero entry");
    }
    if (all_zero(*entry)) {
      if (at == 0) return std::optional<Bytes>{};
      end = std::max(end, at + kCertEntrySize);
      break;
    }
    std::uint64_t offset = r.le_at<std::uint32_t>(at + 16).value();
    std::uint64_t length = r.le_at<std::uint32_t>(at + 20).value();
    end = std::max<std::size_t>(end, std::min<std::uint64_t>(offset + length, buffer.size()));
  }
  return std::optional<Bytes>(
      Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(end)));
}

}  // namespace veritee::guest
