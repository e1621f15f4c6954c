#include "veritee/common/file_lock.hpp"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <string>
#include <thread>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace veritee {

Result<FileLock> FileLock::acquire(const std::filesystem::path& path,
                                   const std::function<void()>& on_wait,
                                   std::chrono::milliseconds timeout) {
  // O_NOFOLLOW: a planted symlink is refused instead of creating or locking its target;
  // O_NONBLOCK: a planted FIFO does not hang the open (the type check refuses it).
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
                        0644);
  if (fd < 0) {
    const int err = errno;
    return fail(Errc::kIo, "cannot open lock file " + path.string() + ": " +
                               (err == ELOOP ? std::string("it is a symlink") : std::strerror(err)));
  }
  FileLock lock(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return fail(Errc::kIo, "lock file " + path.string() + " is not a regular file");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
  if (errno != EWOULDBLOCK) {
    return fail(Errc::kIo, "cannot lock " + path.string() + ": " + std::strerror(errno));
  }
  if (on_wait) on_wait();
  // flock(2) has no timed wait: poll, backing off from 1 ms to 50 ms.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return fail(Errc::kIo, "cannot lock " + path.string() + ": " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(Errc::kIo, "gave up waiting for the lock " + path.string() + " after " +
                                 std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace veritee
