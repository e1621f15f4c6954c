// An exclusive advisory lock (flock(2)) on a lock file, shared between processes: several
// veritee processes using one cache look up, fetch and store a given entry one at a time.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include "veritee/common/error.hpp"

namespace veritee {

class FileLock {
 public:
  // How long acquire waits for another process's lock before giving up.
  static constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

  // Creates the file if needed (never through a symlink: a symlink, FIFO or device at `path` is
  // an error and nothing is created) and waits until the lock is held, at most `timeout`
  // (Errc::kIo when it runs out). `on_wait` (if set) is called once, before waiting, when
  // another process holds the lock.
  static Result<FileLock> acquire(const std::filesystem::path& path,
                                  const std::function<void()>& on_wait = {},
                                  std::chrono::milliseconds timeout = kDefaultTimeout);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace veritee
