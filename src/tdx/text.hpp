// Internal to libveritee_tdx: number formats shared by messages and displays.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace veritee::tdx::detail {

inline std::string hex32(std::uint32_t v) {  // "0x00000081"
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

}  // namespace veritee::tdx::detail
