// POLICY (report offset 0x008, 8 bytes): SEV-SNP Firmware ABI 1.58, Table 9 "Guest Policy
// Structure"; DESIGN.md 3.4.
#pragma once

#include <cstdint>
#include <span>

#include "veritee/snp/named_bits.hpp"

namespace veritee::snp {

class GuestPolicy {
 public:
  static constexpr unsigned kSmt = 16;
  static constexpr unsigned kReservedMustBeOne = 17;
  static constexpr unsigned kMigrateMa = 18;
  static constexpr unsigned kDebug = 19;
  static constexpr unsigned kSingleSocket = 20;
  static constexpr unsigned kCxlAllow = 21;
  static constexpr unsigned kMemAes256Xts = 22;
  static constexpr unsigned kRaplDis = 23;
  static constexpr unsigned kCiphertextHiding = 24;
  static constexpr unsigned kPageSwapDisable = 25;
  static constexpr std::uint64_t kMbzMask = ~((std::uint64_t{1} << 26) - 1);  // 63:26

  constexpr explicit GuestPolicy(std::uint64_t raw = 0) : raw_(raw) {}
  constexpr std::uint64_t raw() const { return raw_; }

  std::uint8_t abi_minor() const { return static_cast<std::uint8_t>(raw_); }
  std::uint8_t abi_major() const { return static_cast<std::uint8_t>(raw_ >> 8); }
  bool smt() const { return bit_set(raw_, kSmt); }
  bool migrate_ma() const { return bit_set(raw_, kMigrateMa); }
  bool debug() const { return bit_set(raw_, kDebug); }
  bool single_socket() const { return bit_set(raw_, kSingleSocket); }
  bool ciphertext_hiding() const { return bit_set(raw_, kCiphertextHiding); }
  bool page_swap_disable() const { return bit_set(raw_, kPageSwapDisable); }
  bool has(unsigned bit) const { return bit_set(raw_, bit); }

  bool reserved_one_set() const { return bit_set(raw_, kReservedMustBeOne); }
  std::uint64_t mbz_bits() const { return raw_ & kMbzMask; }

  // Bits 16..25 with their names, in order.
  static std::span<const NamedBit> bits();

 private:
  std::uint64_t raw_;
};

}  // namespace veritee::snp
