// Byte containers, hex and base64 text, and whole-file I/O.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"

namespace veritee {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Lowercase hex, two characters a byte.
std::string to_hex(ByteView bytes);
// Hex text to bytes; whitespace between digits is ignored; an odd count or a non-hex character
// is an error.
Result<Bytes> from_hex(std::string_view text);

// Standard base64 (RFC 4648 section 4), padded.
std::string to_base64(ByteView bytes);
// Standard or URL-safe alphabet, padding optional, whitespace ignored (OpenSSL EVP decoder).
Result<Bytes> from_base64(std::string_view text);
// URL-safe alphabet without padding (RFC 7515 base64url), for JOSE.
std::string to_base64url(ByteView bytes);

bool all_zero(ByteView bytes);

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Reads a whole file; a missing or unreadable file is Errc::kIo naming the path.
Result<Bytes> read_file(const std::filesystem::path& path);

// Writes a file atomically: a temporary file beside it, fsync, rename. On error nothing is
// left at `path` that was not there before.
Result<void> write_file_atomic(const std::filesystem::path& path, ByteView bytes,
                               unsigned mode = 0644);

}  // namespace veritee
