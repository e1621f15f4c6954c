// /dev/sev-guest behind an interface, so the kernel and firmware can be emulated in tests.
#pragma once

#include <filesystem>
#include <memory>

#include "veritee/common/error.hpp"

namespace veritee::guest {

inline constexpr const char* kDefaultSevGuestPath = "/dev/sev-guest";

class SevGuestDevice {
 public:
  virtual ~SevGuestDevice() = default;
  // ioctl(2) on the device with `arg` pointing at a SnpGuestRequestIoctl. Returns 0 on
  // success, else the errno value (EIO with fw_error/vmm_error set, EINVAL, ENOTTY once the
  // kernel has disabled the VMPCK, ...). The kernel writes fw_error/vmm_error back into *arg.
  virtual int ioctl(unsigned long request, void* arg) = 0;
};

// Opens the real device read-write. Errc::kIo naming the path and errno when it cannot.
Result<std::unique_ptr<SevGuestDevice>> open_sev_guest_device(
    const std::filesystem::path& path = kDefaultSevGuestPath);

}  // namespace veritee::guest
