// Explicit little-endian stores into byte buffers (the write side of ByteReader).
#pragma once

#include <cstddef>
#include <cstdint>

#include "veritee/common/bytes.hpp"

namespace veritee::guest::detail {

template <class T>
void put_le(Bytes& out, std::size_t at, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.at(at + i) = static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i));
  }
}

}  // namespace veritee::guest::detail
