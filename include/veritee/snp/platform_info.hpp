// PLATFORM_INFO (report offset 0x040, 8 bytes): SEV-SNP Firmware ABI 1.58, Table 23
// "PLATFORM_INFO Field"; DESIGN.md 3.4. Bit 6 is reserved in the ABI tables but set in real
// Turin reports: it is decoded as a named-but-unverified bit and never rejected.
#pragma once

#include <cstdint>
#include <span>

#include "veritee/snp/named_bits.hpp"

namespace veritee::snp {

class PlatformInfo {
 public:
  static constexpr unsigned kSmtEn = 0;
  static constexpr unsigned kTsmeEn = 1;
  static constexpr unsigned kEccEn = 2;
  static constexpr unsigned kRaplDis = 3;
  static constexpr unsigned kCiphertextHidingDramEn = 4;
  static constexpr unsigned kAliasCheckComplete = 5;
  static constexpr unsigned kUnverifiedBit6 = 6;
  static constexpr unsigned kTioEn = 7;
  static constexpr std::uint64_t kReservedMask = ~std::uint64_t{0xFF};  // 63:8

  constexpr explicit PlatformInfo(std::uint64_t raw = 0) : raw_(raw) {}
  constexpr std::uint64_t raw() const { return raw_; }
  bool has(unsigned bit) const { return bit_set(raw_, bit); }
  std::uint64_t reserved_bits() const { return raw_ & kReservedMask; }

  // Bits 0..7 with their names, in order.
  static std::span<const NamedBit> bits();

 private:
  std::uint64_t raw_;
};

}  // namespace veritee::snp
