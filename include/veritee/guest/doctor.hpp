// What this machine offers for guest attestation, so a user sees why a provider is
// unavailable. Probing sends no request to the firmware: the device is only opened, a
// configfs-tsm entry only created and removed, TPM NV indices only described (NV_ReadPublic).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "veritee/guest/provider.hpp"

namespace veritee::guest {

struct DoctorOptions {
  ProviderOptions providers;
  std::filesystem::path cpuinfo = "/proc/cpuinfo";
  std::filesystem::path kmsg = "/dev/kmsg";  // the kernel log (dmesg), read without blocking
  std::filesystem::path osrelease = "/proc/sys/kernel/osrelease";
};

struct Finding {
  enum class Status { kOk, kMissing, kInfo };
  std::string id;  // "ioctl", "tsm", "azure", "kernel", "cpuinfo", "dmesg"
  Status status = Status::kInfo;
  std::string detail;  // what was found, or why it is unavailable
};

struct DoctorReport {
  std::vector<Finding> findings;
  bool any_provider() const;  // ioctl, tsm or azure is kOk
};

DoctorReport run_doctor(const DoctorOptions& options);

}  // namespace veritee::guest
