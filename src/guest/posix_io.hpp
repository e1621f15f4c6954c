// Whole-file reads and single-write stores with plain POSIX calls: configfs attributes and
// device-like files (FIFOs in tests) need read(2)-until-EOF and one write(2) per value.
#pragma once

#include <filesystem>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::guest::detail {

// Errc::kIo naming the path and errno.
Result<Bytes> read_all(const std::filesystem::path& path);
Result<void> write_all(const std::filesystem::path& path, ByteView data);

}  // namespace veritee::guest::detail
