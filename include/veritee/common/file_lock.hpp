// An exclusive advisory lock (flock(2)) on a lock file, shared between processes: several
// veritee processes using one cache look up, fetch and store a given entry one at a time.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "veritee/common/error.hpp"

namespace veritee {

class FileLock {
 public:
  // Creates the file if needed and blocks until the lock is held. `on_wait` (if set) is called
  // once, before blocking, when another process holds the lock.
  static Result<FileLock> acquire(const std::filesystem::path& path,
                                  const std::function<void()>& on_wait = {});

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
