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

// The largest input read_file accepts unless told otherwise (docs/limits.md): reports,
// certificates, CRLs, policies, keys, tokens and cache objects are all far smaller.
inline constexpr std::size_t kMaxInputBytes = std::size_t{16} << 20;  // 16 MiB

// Reads a whole regular file of at most `max_bytes`. A missing or unreadable file is Errc::kIo
// naming the path; a FIFO, device, socket or directory, or a file larger than `max_bytes`, is
// Errc::kInvalidInput at once (the open never blocks and nothing past the cap is read).
Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes = kMaxInputBytes);

// read_file for a private key (an EAR signing key, a TLS server key, one in the state
// directory): refused with Errc::kIo, saying "chmod 600 it", when group or others may read it.
// One rule wherever the key lives.
Result<Bytes> read_private_file(const std::filesystem::path& path,
                                std::size_t max_bytes = kMaxInputBytes);

// Reads a stream (a pipe, stdin) to its end, failing with Errc::kInvalidInput as soon as more
// than `max_bytes` arrive. `name` names the stream in messages.
Result<Bytes> read_fd(int fd, const std::string& name, std::size_t max_bytes = kMaxInputBytes);

// Writes a file atomically: a temporary file beside it, fsync, rename. On error nothing is
// left at `path` that was not there before.
Result<void> write_file_atomic(const std::filesystem::path& path, ByteView bytes,
                               unsigned mode = 0644);

// Writes an output the user named: "-" is stdout; /dev/stdout, /dev/stderr, /dev/fd/N and
// /proc/self/fd/N are written through that descriptor; an existing FIFO, character device or socket
// (/dev/stdout, /dev/null, a named pipe) is opened and written directly, never replaced; a
// regular file or a new path is written with write_file_atomic (through a symlink to a regular
// file, the file it names is replaced).
Result<void> write_output(const std::filesystem::path& path, ByteView bytes, unsigned mode = 0644);

}  // namespace veritee
