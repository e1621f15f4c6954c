#include "veritee/common/bytes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <random>

#include <openssl/evp.h>

namespace veritee {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::string file_type_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a regular file";
}

// /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N name descriptor 1, 2 or N.
std::optional<int> named_descriptor(const std::string& path) {
  if (path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (!path.starts_with(prefix)) continue;
    const std::string digits = path.substr(prefix.size());
    if (digits.empty() || digits.size() > 6 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    return std::stoi(digits);
  }
  return std::nullopt;
}

Result<void> write_all(int fd, ByteView bytes, const std::string& name) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::kIo, "cannot write " + name + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Sized once and written through a pointer: push_back's capacity check per character was
  // most of the cost (the appraisal's sentences hex about a kilobyte per report).
  std::string out(bytes.size() * 2, '\0');
  char* p = out.data();
  for (std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0xF];
  }
  return out;
}

Result<Bytes> from_hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_space(c)) continue;
    int v = hex_value(c);
    if (v < 0) {
      return fail(Errc::kInvalidInput,
                  "not hex: character " + std::to_string(i) + " is not a hex digit");
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | v));
      high = -1;
    }
  }
  if (high >= 0) return fail(Errc::kInvalidInput, "not hex: odd number of hex digits");
  return out;
}

std::string to_base64(ByteView bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> from_base64(std::string_view text) {
  // Normalize: drop whitespace, map the URL-safe alphabet, restore padding. EVP_DecodeBlock
  // then does the decoding (and rejects any other character).
  std::string clean;
  clean.reserve(text.size() + 3);
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
    clean.push_back(c);
  }
  std::size_t pad = 0;
  while (!clean.empty() && clean.back() == '=') {
    clean.pop_back();
    ++pad;
  }
  // Padding only at the end: EVP_DecodeBlock would read an inner '=' as zero bits.
  if (clean.find('=') != std::string::npos) {
    return fail(Errc::kInvalidInput, "not base64: '=' before the end");
  }
  if (pad > 2 || clean.size() % 4 == 1) {
    return fail(Errc::kInvalidInput, "not base64: wrong length or padding");
  }
  std::size_t data_chars = clean.size();
  while (clean.size() % 4 != 0) clean.push_back('=');
  if (clean.empty()) return Bytes{};
  Bytes out(clean.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return fail(Errc::kInvalidInput, "not base64: invalid character");
  // EVP_DecodeBlock counts padding as zero bytes; keep only the real ones.
  out.resize(data_chars * 3 / 4);
  return out;
}

std::string to_base64url(ByteView bytes) {
  std::string s = to_base64(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

bool all_zero(ByteView bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

namespace {

// read_file, and with `private_only` the mode rule of read_private_file, checked on the
// descriptor that is read (no window between the check and the read).
Result<Bytes> read_regular(const std::filesystem::path& path, std::size_t max_bytes, bool private_only) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; the type check below refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    return fail(Errc::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return fail(Errc::kIo, "cannot stat " + path.string() + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(Errc::kInvalidInput, path.string() + " is " + file_type_name(st.st_mode) +
                                         ", not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return fail(Errc::kInvalidInput, path.string() + " is " + std::to_string(st.st_size) +
                                         " bytes; at most " + std::to_string(max_bytes) +
                                         " are accepted");
  }
  if (private_only && (st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(Errc::kIo, path.string() + " is readable by group or others (mode " + mode +
                               "); a private key must not be: chmod 600 it");
  }
  // Regular files ignore O_NONBLOCK; the size is checked again while reading (it may grow).
  auto out = read_fd(fd, path.string(), max_bytes);
  ::close(fd);
  return out;
}

}  // namespace

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
  return read_regular(path, max_bytes, false);
}

Result<Bytes> read_private_file(const std::filesystem::path& path, std::size_t max_bytes) {
  return read_regular(path, max_bytes, true);
}

Result<void> write_file_atomic(const std::filesystem::path& path, ByteView bytes,
                               unsigned mode) {
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::random_device rd;
  auto tmp = dir / ("." + path.filename().string() + ".tmp." + std::to_string(getpid()) + "." +
                    std::to_string(rd()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    return fail(Errc::kIo, "cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  auto cleanup = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(Errc::kIo, what + " " + path.string() + ": " + std::strerror(err));
  };
  if (auto ok = write_all(fd, bytes, tmp.string()); !ok) return cleanup("cannot write");
  if (::fchmod(fd, mode) != 0) return cleanup("cannot set mode of");
  if (::fsync(fd) != 0) return cleanup("cannot sync");
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return fail(Errc::kIo, "cannot close " + tmp.string() + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return fail(Errc::kIo, "cannot rename into " + path.string() + ": " + std::strerror(err));
  }
  // Make the rename durable.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Result<Bytes> read_fd(int fd, const std::string& name, std::size_t max_bytes) {
  Bytes out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    out.reserve(std::min(static_cast<std::size_t>(st.st_size), max_bytes));
  }
  std::uint8_t buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::kIo, "cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    if (static_cast<std::size_t>(n) > max_bytes - out.size()) {
      return fail(Errc::kInvalidInput, name + " is larger than " + std::to_string(max_bytes) +
                                           " bytes, the most accepted");
    }
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Result<void> write_output(const std::filesystem::path& path, ByteView bytes, unsigned mode) {
  if (path == "-") return write_all(STDOUT_FILENO, bytes, "stdout");
  // The process's own descriptors by name: written through the descriptor itself, at its
  // offset, whatever it is (a regular file behind /dev/stdout must not be replaced by rename).
  if (auto fd = named_descriptor(path.string())) return write_all(*fd, bytes, path.string());
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return fail(Errc::kIo, path.string() + " is a directory");
    // A FIFO, device or socket: write to it as it is (no O_CREAT: it exists; no rename).
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(Errc::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
    auto ok = write_all(fd, bytes, path.string());
    ::close(fd);
    return ok;
  }
  // A symlink to a regular file: replace the file it names, not the link.
  std::error_code ec;
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) {
    auto target = std::filesystem::canonical(path, ec);
    if (!ec) return write_file_atomic(target, bytes, mode);
  }
  return write_file_atomic(path, bytes, mode);
}

}  // namespace veritee
