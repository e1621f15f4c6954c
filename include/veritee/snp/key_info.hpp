// KEY_INFO (report offset 0x048, 4 bytes): SEV-SNP Firmware ABI 1.58, Table 22
// "ATTESTATION_REPORT Structure", bits 0 AUTHOR_KEY_EN, 1 MASK_CHIP_KEY, 4:2 SIGNING_KEY
// (0 VCEK, 1 VLEK, 7 none, others reserved), 31:5 MBZ.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "veritee/snp/named_bits.hpp"

namespace veritee::snp {

enum class SigningKey { kVcek, kVlek, kNone };

std::string_view to_string(SigningKey key);  // "VCEK", "VLEK", "none"

class KeyInfo {
 public:
  static constexpr std::uint32_t kMbzMask = ~std::uint32_t{0x1F};  // 31:5

  constexpr explicit KeyInfo(std::uint32_t raw = 0) : raw_(raw) {}
  constexpr std::uint32_t raw() const { return raw_; }

  bool author_key_en() const { return raw_ & 1U; }
  bool mask_chip_key() const { return (raw_ >> 1) & 1U; }
  unsigned signing_key_field() const { return (raw_ >> 2) & 7U; }
  // Empty for the reserved values 2..6.
  std::optional<SigningKey> signing_key() const;
  std::uint32_t mbz_bits() const { return raw_ & kMbzMask; }

 private:
  std::uint32_t raw_;
};

}  // namespace veritee::snp
