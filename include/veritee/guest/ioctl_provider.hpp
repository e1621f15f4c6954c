// The /dev/sev-guest evidence provider: SNP_GET_EXT_REPORT (or SNP_GET_REPORT without certs).
#pragma once

#include <memory>

#include "veritee/guest/provider.hpp"
#include "veritee/guest/sev_guest_device.hpp"

namespace veritee::guest {

class IoctlProvider final : public EvidenceProvider {
 public:
  explicit IoctlProvider(std::unique_ptr<SevGuestDevice> device) : device_(std::move(device)) {}
  ProviderKind kind() const override { return ProviderKind::kIoctl; }
  std::string_view name() const override { return "ioctl"; }
  Result<GuestEvidence> collect(const EvidenceRequest& request) override;
  SevGuestDevice& device() { return *device_; }

 private:
  std::unique_ptr<SevGuestDevice> device_;
};

}  // namespace veritee::guest
