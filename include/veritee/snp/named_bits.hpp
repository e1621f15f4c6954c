// A table of named bits, shared by the POLICY, PLATFORM_INFO and KEY_INFO decoders so that
// text and JSON output list every bit from one source.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace veritee::snp {

struct NamedBit {
  unsigned bit;
  std::string_view name;         // the AMD table's name, e.g. "SINGLE_SOCKET"
  std::string_view description;  // one short phrase
};

inline bool bit_set(std::uint64_t raw, unsigned bit) { return (raw >> bit) & 1U; }

}  // namespace veritee::snp
