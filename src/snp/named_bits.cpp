// The bit tables of POLICY, PLATFORM_INFO and KEY_INFO.
#include <array>

#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/key_info.hpp"
#include "veritee/snp/platform_info.hpp"

namespace veritee::snp {

// ABI 1.58 Table 9 "Guest Policy Structure".
std::span<const NamedBit> GuestPolicy::bits() {
  static constexpr std::array<NamedBit, 10> kBits{{
      {kSmt, "SMT", "SMT is allowed"},
      {kReservedMustBeOne, "RESERVED_MBO", "reserved, must be one"},
      {kMigrateMa, "MIGRATE_MA", "association with a migration agent is allowed"},
      {kDebug, "DEBUG", "debugging is allowed"},
      {kSingleSocket, "SINGLE_SOCKET", "the guest may run on only one socket"},
      {kCxlAllow, "CXL_ALLOW", "CXL may be populated with devices or memory"},
      {kMemAes256Xts, "MEM_AES_256_XTS", "AES-256-XTS memory encryption is required"},
      {kRaplDis, "RAPL_DIS", "running average power limit must be disabled"},
      {kCiphertextHiding, "CIPHERTEXT_HIDING", "ciphertext hiding (DRAM) must be enabled"},
      {kPageSwapDisable, "PAGE_SWAP_DISABLE", "guest support for page swap is disabled"},
  }};
  return kBits;
}

// ABI 1.58 Table 23 "PLATFORM_INFO Field" (bit 6: see platform_info.hpp).
std::span<const NamedBit> PlatformInfo::bits() {
  static constexpr std::array<NamedBit, 8> kBits{{
      {kSmtEn, "SMT_EN", "SMT is enabled on the platform"},
      {kTsmeEn, "TSME_EN", "transparent SME is enabled"},
      {kEccEn, "ECC_EN", "the platform uses ECC memory"},
      {kRaplDis, "RAPL_DIS", "RAPL is disabled"},
      {kCiphertextHidingDramEn, "CIPHERTEXT_HIDING_DRAM_EN", "ciphertext hiding (DRAM) is on"},
      {kAliasCheckComplete, "ALIAS_CHECK_COMPLETE", "the memory alias check completed"},
      {kUnverifiedBit6, "BIT6_UNVERIFIED",
       "reserved in ABI 1.58 tables, set by real Turin firmware (one peer: IOMMU_WRITE_SAFE)"},
      {kTioEn, "TIO_EN", "SEV-TIO is enabled"},
  }};
  return kBits;
}

std::string_view to_string(SigningKey key) {
  switch (key) {
    case SigningKey::kVcek: return "VCEK";
    case SigningKey::kVlek: return "VLEK";
    case SigningKey::kNone: return "none";
  }
  return "unknown";
}

std::optional<SigningKey> KeyInfo::signing_key() const {
  switch (signing_key_field()) {
    case 0: return SigningKey::kVcek;
    case 1: return SigningKey::kVlek;
    case 7: return SigningKey::kNone;
    default: return std::nullopt;
  }
}

}  // namespace veritee::snp
