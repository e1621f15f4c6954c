#include "posix_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace veritee::guest::detail {
namespace {

Result<void> io_error(const char* what, const std::filesystem::path& path) {
  return fail(Errc::kIo, std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<Bytes> read_all(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(io_error("cannot open", path).error());
  Bytes out;
  std::uint8_t buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto err = io_error("cannot read", path);
      ::close(fd);
      return std::unexpected(err.error());
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Result<void> write_all(const std::filesystem::path& path, ByteView data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto err = io_error("cannot write", path);
      ::close(fd);
      return err;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) < 0) return io_error("cannot write", path);
  return {};
}

}  // namespace veritee::guest::detail
