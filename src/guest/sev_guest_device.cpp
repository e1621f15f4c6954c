// The real /dev/sev-guest: open(2) and ioctl(2).
#include "veritee/guest/sev_guest_device.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace veritee::guest {
namespace {

class LinuxSevGuestDevice final : public SevGuestDevice {
 public:
  explicit LinuxSevGuestDevice(int fd) : fd_(fd) {}
  ~LinuxSevGuestDevice() override { ::close(fd_); }
  LinuxSevGuestDevice(const LinuxSevGuestDevice&) = delete;
  LinuxSevGuestDevice& operator=(const LinuxSevGuestDevice&) = delete;

  int ioctl(unsigned long request, void* arg) override {
    int rc;
    do {
      rc = ::ioctl(fd_, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? errno : 0;
  }

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<SevGuestDevice>> open_sev_guest_device(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return fail(Errc::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<SevGuestDevice>(std::make_unique<LinuxSevGuestDevice>(fd));
}

}  // namespace veritee::guest
