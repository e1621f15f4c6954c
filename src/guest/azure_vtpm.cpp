// The Azure vTPM (HCL) evidence provider (DESIGN.md 3.8; azure_vtpm.hpp).
#include "veritee/guest/azure_vtpm.hpp"

#include "veritee/snp/hcl_report.hpp"

namespace veritee::guest {

Result<GuestEvidence> AzureVtpmProvider::collect(const EvidenceRequest& request) {
  if (request.vmpl) {
    return fail(Errc::kUnsupported,
                "the Azure paravisor chooses the report's VMPL; --vmpl cannot be honoured");
  }
  auto size = tpm_->nv_size(kHclUserDataIndex);
  if (!size) return std::unexpected(size.error());
  std::vector<std::string> notes;
  if (!*size) {
    if (auto ok = tpm_->nv_define(kHclUserDataIndex, kHclUserDataSize); !ok) {
      return std::unexpected(ok.error());
    }
    notes.push_back("defined NV index 0x01400002 (64 bytes) for the user data");
  } else if (**size != kHclUserDataSize) {
    return fail(Errc::kIo, "NV index 0x01400002 holds " + std::to_string(**size) +
                               " bytes, expected 64 (it is not the HCL user-data index)");
  }
  if (auto ok = tpm_->nv_write(kHclUserDataIndex, request.report_data); !ok) {
    return std::unexpected(ok.error());
  }
  auto blob = tpm_->nv_read(kHclReportIndex);
  if (!blob) return std::unexpected(blob.error());
  auto hcl = snp::parse_hcl_report(*blob);
  if (!hcl) return std::unexpected(hcl.error());  // kTruncated: "truncated HCL report: ..."

  GuestEvidence out;
  out.provider = ProviderKind::kAzure;
  out.report.assign(hcl->report.begin(), hcl->report.end());
  out.notes = std::move(notes);
  out.notes.push_back("HCL blob of " + std::to_string(blob->size()) +
                      " bytes from NV index 0x01400001, report at 0x20");
  out.hcl_blob = std::move(*blob);
  return out;
}

}  // namespace veritee::guest
