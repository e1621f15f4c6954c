// What this machine offers for guest attestation (doctor.hpp). Nothing here sends a request.
#include "veritee/guest/doctor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "veritee/guest/azure_vtpm.hpp"
#include "veritee/guest/sev_guest_device.hpp"
#include "veritee/guest/tsm_provider.hpp"

namespace veritee::guest {
namespace {

using Status = Finding::Status;

Finding probe_ioctl(const ProviderOptions& o) {
  struct stat st {};
  if (::stat(o.device.c_str(), &st) < 0) {
    return {"ioctl", Status::kMissing,
            o.device.string() + ": " + std::strerror(errno) +
                " (sev-guest driver not loaded, or not an SEV-SNP guest)"};
  }
  if (!S_ISCHR(st.st_mode)) {
    return {"ioctl", Status::kMissing, o.device.string() + " is not a character device"};
  }
  auto device = open_sev_guest_device(o.device);
  if (!device) return {"ioctl", Status::kMissing, device.error().message + " (try as root)"};
  return {"ioctl", Status::kOk, o.device.string() + " opens read-write"};
}

Finding probe_tsm(const ProviderOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_directory(o.tsm_root, ec)) {
    return {"tsm", Status::kMissing,
            o.tsm_root.string() +
                " does not exist (kernel without CONFIG_TSM_REPORTS, or "
                "configfs not mounted at /sys/kernel/config)"};
  }
  TsmOptions options;
  options.root = o.tsm_root;
  auto provider = probe_tsm_provider(options);
  if (!provider) return {"tsm", Status::kMissing, provider.error().message};
  if (*provider != "sev_guest") {
    return {"tsm", Status::kMissing,
            "configfs-tsm provider is \"" + *provider + "\", not sev_guest"};
  }
  return {"tsm", Status::kOk, o.tsm_root.string() + ", provider sev_guest"};
}

Finding probe_azure(const ProviderOptions& o) {
  auto tpm = open_tpm(o.tcti);
  if (!tpm) return {"azure", Status::kMissing, tpm.error().message};
  auto report = (*tpm)->nv_size(kHclReportIndex);
  if (!report) return {"azure", Status::kMissing, report.error().message};
  if (!*report) {
    return {"azure", Status::kMissing,
            "TPM (" + o.tcti +
                ") has no NV index 0x01400001 (not an "
                "Azure confidential VM's vTPM)"};
  }
  auto user = (*tpm)->nv_size(kHclUserDataIndex);
  std::string detail = "TPM (" + o.tcti + "): NV 0x01400001 holds " + std::to_string(**report) +
                       " bytes; NV 0x01400002 ";
  detail += !user ? user.error().message
                  : (*user ? "is defined (" + std::to_string(**user) + " bytes)"
                           : "is not defined yet (veritee defines it)");
  return {"azure", Status::kOk, detail};
}

Finding kernel_version(const std::filesystem::path& osrelease) {
  std::ifstream in(osrelease);
  std::string release;
  std::getline(in, release);
  if (release.empty()) return {"kernel", Status::kInfo, "unknown (" + osrelease.string() + ")"};
  return {"kernel", Status::kInfo, "Linux " + release + " (configfs-tsm needs 6.7 or later)"};
}

Finding cpu_flags(const std::filesystem::path& cpuinfo) {
  std::ifstream in(cpuinfo);
  std::string line, found;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    for (std::string w; words >> w;) {
      if (w == "sev" || w == "sev_es" || w == "sev_snp") found += (found.empty() ? "" : " ") + w;
    }
    break;
  }
  if (found.empty()) {
    return {"cpuinfo", Status::kInfo,
            "no sev/sev_es/sev_snp CPU flags in " + cpuinfo.string() +
                " (guests often do not show them)"};
  }
  return {"cpuinfo", Status::kInfo, "CPU flags: " + found};
}

Finding kernel_log(const std::filesystem::path& kmsg) {
  int fd = ::open(kmsg.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return {"dmesg", Status::kInfo, "cannot read " + kmsg.string() + ": " + std::strerror(errno)};
  std::string hits;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);  // /dev/kmsg: one record per read
    if (n < 0 && errno == EPIPE) continue;    // records overwritten meanwhile
    if (n <= 0) break;
    std::string record(buf, static_cast<std::size_t>(n));
    auto text = record.substr(std::min(record.size(), record.find(';') + 1));
    if (text.find("SEV") != std::string::npos || text.find("sev-guest") != std::string::npos ||
        text.find("VMPCK") != std::string::npos) {
      while (!text.empty() && text.back() == '\n') text.pop_back();
      hits += "\n    " + text;
    }
  }
  ::close(fd);
  if (hits.empty()) return {"dmesg", Status::kInfo, "no SEV lines in the kernel log"};
  return {"dmesg", Status::kInfo, "kernel log:" + hits};
}

}  // namespace

bool DoctorReport::any_provider() const {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.status == Status::kOk && (f.id == "ioctl" || f.id == "tsm" || f.id == "azure");
  });
}

DoctorReport run_doctor(const DoctorOptions& o) {
  DoctorReport out;
  out.findings.push_back(probe_ioctl(o.providers));
  out.findings.push_back(probe_tsm(o.providers));
  out.findings.push_back(probe_azure(o.providers));
  out.findings.push_back(kernel_version(o.osrelease));
  out.findings.push_back(cpu_flags(o.cpuinfo));
  out.findings.push_back(kernel_log(o.kmsg));
  return out;
}

}  // namespace veritee::guest
