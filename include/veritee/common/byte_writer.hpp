// Explicit little-endian stores at offsets of a buffer the caller sized: the write side of
// ByteReader, for the structures veritee builds itself (guest requests, VMSA pages, PAGE_INFO,
// ID blocks). Evidence is never written back through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "veritee/common/bytes.hpp"

namespace veritee {

// Stores `value` little endian at [at, at + sizeof(T)); the caller sized `out` from the layout
// it writes, so an offset past the end is a defect: it is caught by vector::at.
template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T>
void put_le(Bytes& out, std::size_t at, T value) {
  const auto v = static_cast<std::uint64_t>(value);
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    out.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

}  // namespace veritee
