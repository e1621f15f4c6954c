// Azure confidential VMs: the paravisor (HCL) keeps an SNP report in vTPM NV index 0x01400001
// and refreshes it when 64 bytes of user data are written to NV index 0x01400002; the blob is
// parsed by snp::parse_hcl_report (hcl_report.hpp; DESIGN.md 3.8).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/guest/provider.hpp"

namespace veritee::guest {

inline constexpr std::uint32_t kHclReportIndex = 0x01400001;
inline constexpr std::uint32_t kHclUserDataIndex = 0x01400002;
inline constexpr std::uint16_t kHclUserDataSize = 64;

// The TPM NV operations the Azure path needs, so the whole-blob cases run against a test
// double and the TPM mechanics against a software TPM.
class TpmNv {
 public:
  virtual ~TpmNv() = default;
  // The index's data size (TPM2_NV_ReadPublic), or nullopt when it is not defined.
  virtual Result<std::optional<std::uint16_t>> nv_size(std::uint32_t index) = 0;
  // TPM2_NV_DefineSpace under the owner hierarchy (empty auth): ordinary index, SHA-256 name,
  // OWNERREAD | OWNERWRITE | AUTHREAD | AUTHWRITE.
  virtual Result<void> nv_define(std::uint32_t index, std::uint16_t size) = 0;
  // TPM2_NV_Write / TPM2_NV_Read of the whole index, in chunks of TPM2_PT_NV_BUFFER_MAX.
  virtual Result<void> nv_write(std::uint32_t index, ByteView data) = 0;
  virtual Result<Bytes> nv_read(std::uint32_t index) = 0;
};

// tpm2-tss ESAPI over a TCTI configuration string ("device:/dev/tpmrm0",
// "swtpm:host=127.0.0.1,port=2321", ...). Errc::kUnsupported when built without tpm2-tss.
Result<std::unique_ptr<TpmNv>> open_tpm(const std::string& tcti);

class AzureVtpmProvider final : public EvidenceProvider {
 public:
  explicit AzureVtpmProvider(std::unique_ptr<TpmNv> tpm) : tpm_(std::move(tpm)) {}
  ProviderKind kind() const override { return ProviderKind::kAzure; }
  std::string_view name() const override { return "azure"; }
  // Defines NV 0x01400002 (64 bytes) when absent, writes the user data to it, reads NV
  // 0x01400001 and parses it as an HCL blob: a blob cut short is Errc::kTruncated
  // ("truncated HCL report: ..."). The user cannot choose the VMPL here (request.vmpl set:
  // Errc::kUnsupported). Binding and user-data checks are in evidence_checks.hpp.
  Result<GuestEvidence> collect(const EvidenceRequest& request) override;

 private:
  std::unique_ptr<TpmNv> tpm_;
};

}  // namespace veritee::guest
