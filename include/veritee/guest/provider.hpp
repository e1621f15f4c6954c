// Evidence sources inside a guest, behind one interface: the /dev/sev-guest ioctls, the
// kernel's configfs-tsm report interface, and the Azure vTPM (HCL) path. DESIGN.md 3.7, 3.8.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/guest/sev_guest_abi.hpp"

namespace veritee::guest {

struct EvidenceRequest {
  ReportData report_data{};           // REPORT_DATA (ioctl, tsm) or the HCL user data (azure)
  std::optional<std::uint32_t> vmpl;  // the VMPL to put in the report (ioctl, tsm)
  bool want_certs = true;             // ioctl: SNP_GET_EXT_REPORT rather than SNP_GET_REPORT
};

enum class ProviderKind { kAuto, kIoctl, kTsm, kAzure };
Result<ProviderKind> parse_provider_kind(std::string_view name);  // "auto", "ioctl", ...
std::string_view to_string(ProviderKind kind);

struct GuestEvidence {
  ProviderKind provider = ProviderKind::kIoctl;  // which interface returned it
  Bytes report;                     // the exact 0x4A0 report bytes the provider returned
  std::optional<Bytes> cert_table;  // the host's certificate table, as returned
  std::optional<Bytes> hcl_blob;    // azure: the whole NV 0x01400001 blob
  std::vector<std::string> notes;   // how it was obtained, for the user
};

class EvidenceProvider {
 public:
  virtual ~EvidenceProvider() = default;
  virtual ProviderKind kind() const = 0;
  virtual std::string_view name() const = 0;
  // Any failure of the device, kernel interface, TPM or paravisor is an error; the caller
  // then checks the evidence (evidence_checks.hpp).
  virtual Result<GuestEvidence> collect(const EvidenceRequest& request) = 0;
};

inline constexpr const char* kDefaultTsmRoot = "/sys/kernel/config/tsm/report";
inline constexpr const char* kDefaultTcti = "device:/dev/tpmrm0";

struct ProviderOptions {
  std::filesystem::path device = "/dev/sev-guest";
  std::filesystem::path tsm_root = kDefaultTsmRoot;
  std::string tcti = kDefaultTcti;
};

// The named provider, opened; kAuto tries ioctl, then tsm, then azure, and when none is
// available fails (Errc::kIo) with each one's reason.
Result<std::unique_ptr<EvidenceProvider>> open_provider(ProviderKind kind,
                                                        const ProviderOptions& options);

}  // namespace veritee::guest
