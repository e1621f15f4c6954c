// TCB_VERSION (8 bytes). Its layout depends on the product, not on the report version
// (SEV-SNP Firmware ABI 1.58, Table 3 "TCB_VERSION Structure"; DESIGN.md 3.2):
//   Milan, Genoa: byte 0 BOOT_LOADER, 1 TEE, 2-5 reserved, 6 SNP, 7 MICROCODE
//   Turin:        byte 0 FMC, 1 BOOT_LOADER, 2 TEE, 3 SNP, 4-6 reserved, 7 MICROCODE
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "veritee/snp/product.hpp"

namespace veritee::snp {

// The security patch levels (SPLs) of one TCB, named.
struct TcbParts {
  std::optional<std::uint8_t> fmc;  // Turin only
  std::uint8_t boot_loader = 0;
  std::uint8_t tee = 0;
  std::uint8_t snp = 0;
  std::uint8_t microcode = 0;

  friend bool operator==(const TcbParts&, const TcbParts&) = default;
  // True when every SPL of *this is at least the one in `minimum` (FMC only where both have it).
  bool at_least(const TcbParts& minimum) const;
  // "bl=3 tee=0 snp=8 ucode=115" (Turin: "fmc=1 bl=... ").
  std::string to_string() const;
};

class TcbVersion {
 public:
  constexpr TcbVersion() = default;
  constexpr explicit TcbVersion(std::uint64_t raw) : raw_(raw) {}

  constexpr std::uint64_t raw() const { return raw_; }
  std::uint8_t byte(unsigned i) const { return static_cast<std::uint8_t>(raw_ >> (8 * i)); }

  TcbParts decode(Product product) const;
  // The reserved bytes of this product's layout are all zero.
  bool reserved_clear(Product product) const;
  // Builds the raw value from parts under a product's layout.
  static TcbVersion encode(Product product, const TcbParts& parts);

  friend bool operator==(TcbVersion, TcbVersion) = default;

 private:
  std::uint64_t raw_ = 0;
};

}  // namespace veritee::snp
