// One bounds-checked little-endian reader for every byte layout veritee parses (the pattern of
// BoringSSL's CBS): each read either succeeds or reports that the input ended, never reads past
// the end, and never casts a struct onto the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "veritee/common/bytes.hpp"

namespace veritee {

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return data_.size() - offset_; }
  bool empty() const { return remaining() == 0; }

  std::optional<std::uint8_t> u8() { return read_le<std::uint8_t>(); }
  std::optional<std::uint16_t> u16() { return read_le<std::uint16_t>(); }
  std::optional<std::uint32_t> u32() { return read_le<std::uint32_t>(); }
  std::optional<std::uint64_t> u64() { return read_le<std::uint64_t>(); }

  // The next n bytes, or nothing (and no advance) if fewer remain.
  std::optional<ByteView> bytes(std::size_t n) {
    if (n > remaining()) return std::nullopt;
    ByteView out = data_.subspan(offset_, n);
    offset_ += n;
    return out;
  }
  bool skip(std::size_t n) { return bytes(n).has_value(); }
  // Moves to an absolute offset within the input.
  bool seek(std::size_t to) {
    if (to > data_.size()) return false;
    offset_ = to;
    return true;
  }

  // Random access at an absolute offset, without moving the cursor.
  template <class T>
  std::optional<T> le_at(std::size_t at) const {
    if (at > data_.size() || sizeof(T) > data_.size() - at) return std::nullopt;
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(T(data_[at + i]) << (8 * i));
    return v;
  }
  std::optional<ByteView> bytes_at(std::size_t at, std::size_t n) const {
    if (at > data_.size() || n > data_.size() - at) return std::nullopt;
    return data_.subspan(at, n);
  }

 private:
  template <class T>
  std::optional<T> read_le() {
    auto v = le_at<T>(offset_);
    if (v) offset_ += sizeof(T);
    return v;
  }

  ByteView data_;
  std::size_t offset_ = 0;
};

}  // namespace veritee
