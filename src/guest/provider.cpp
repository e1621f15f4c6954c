// Choosing and opening an evidence provider (provider.hpp).
#include "veritee/guest/provider.hpp"

#include <system_error>

#include "veritee/guest/azure_vtpm.hpp"
#include "veritee/guest/ioctl_provider.hpp"
#include "veritee/guest/tsm_provider.hpp"

namespace veritee::guest {
namespace {

Result<std::unique_ptr<EvidenceProvider>> open_ioctl(const ProviderOptions& o) {
  auto device = open_sev_guest_device(o.device);
  if (!device) return std::unexpected(device.error());
  return std::unique_ptr<EvidenceProvider>(std::make_unique<IoctlProvider>(std::move(*device)));
}

Result<std::unique_ptr<EvidenceProvider>> open_tsm(const ProviderOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_directory(o.tsm_root, ec)) {
    return fail(Errc::kIo, "no configfs-tsm report directory at " + o.tsm_root.string() +
                               " (kernel without CONFIG_TSM_REPORTS, or configfs not mounted)");
  }
  TsmOptions options;
  options.root = o.tsm_root;
  return std::unique_ptr<EvidenceProvider>(std::make_unique<TsmProvider>(std::move(options)));
}

Result<std::unique_ptr<EvidenceProvider>> open_azure(const ProviderOptions& o) {
  auto tpm = open_tpm(o.tcti);
  if (!tpm) return std::unexpected(tpm.error());
  auto size = (*tpm)->nv_size(0x01400001);
  if (!size) return std::unexpected(size.error());
  if (!*size) {
    return fail(Errc::kIo, "the TPM (" + o.tcti +
                               ") has no NV index 0x01400001: not an Azure "
                               "confidential VM's vTPM");
  }
  return std::unique_ptr<EvidenceProvider>(std::make_unique<AzureVtpmProvider>(std::move(*tpm)));
}

}  // namespace

Result<ProviderKind> parse_provider_kind(std::string_view name) {
  if (name == "auto") return ProviderKind::kAuto;
  if (name == "ioctl") return ProviderKind::kIoctl;
  if (name == "tsm") return ProviderKind::kTsm;
  if (name == "azure") return ProviderKind::kAzure;
  return fail(Errc::kInvalidInput,
              "unknown provider \"" + std::string(name) + "\" (auto, ioctl, tsm, azure)");
}

std::string_view to_string(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kAuto:
      return "auto";
    case ProviderKind::kIoctl:
      return "ioctl";
    case ProviderKind::kTsm:
      return "tsm";
    case ProviderKind::kAzure:
      return "azure";
  }
  return "?";
}

Result<std::unique_ptr<EvidenceProvider>> open_provider(ProviderKind kind,
                                                        const ProviderOptions& options) {
  switch (kind) {
    case ProviderKind::kIoctl:
      return open_ioctl(options);
    case ProviderKind::kTsm:
      return open_tsm(options);
    case ProviderKind::kAzure:
      return open_azure(options);
    case ProviderKind::kAuto:
      break;
  }
  std::string reasons;
  for (auto open : {open_ioctl, open_tsm, open_azure}) {
    auto provider = open(options);
    if (provider) return provider;
    reasons += "\n  " + provider.error().message;
  }
  return fail(Errc::kIo, "no evidence provider is available:" + reasons +
                             "\n(`veritee doctor` explains what this machine offers)");
}

}  // namespace veritee::guest
