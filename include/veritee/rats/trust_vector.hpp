// The AR4SI trustworthiness vector (draft-ietf-rats-ar4si section 2.3; values as in
// veraison/ear) and the EAR status tiers, derived from the check trace: every failed check
// puts the vector element it belongs to in the contraindicated tier, so the EAR status (the
// worst tier) is "contraindicated" exactly when a check failed (DESIGN.md invariant 4).
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "veritee/verify/check.hpp"

namespace veritee::rats {

// draft-ietf-rats-ear section 3.2 "ear.status"; ordered best to worst.
enum class EarStatus { kAffirming, kWarning, kContraindicated, kNone };
std::string_view to_string(EarStatus status);
std::optional<EarStatus> parse_ear_status(std::string_view name);
// The tier of an AR4SI claim value: 0 and 1 none, 2..31 affirming, 32..95 warning,
// 96..127 contraindicated; -1 (verifier malfunction) none.
EarStatus tier_of(int claim);

// AR4SI claim values used here.
namespace claim {
inline constexpr int kNoClaim = 0;
inline constexpr int kAffirming = 2;             // trustworthy / approved / genuine / encrypted
inline constexpr int kApprovedBoot = 3;          // executables: approved boot-time
inline constexpr int kWarning = 32;              // unsafe config / isolated memory ...
inline constexpr int kContraindicated = 96;      // untrustworthy / unsupportable / visible ...
inline constexpr int kUnrecognized = 97;         // instance / hardware not recognized
inline constexpr int kCryptoFailed = 99;         // cryptographic validation failed
}  // namespace claim

// The eight AR4SI components, in the order the draft lists them.
enum class Component {
  kInstanceIdentity, kConfiguration, kExecutables, kFileSystem, kHardware, kRuntimeOpaque,
  kStorageOpaque, kSourcedData,
};
inline constexpr std::size_t kComponents = 8;
std::string_view to_string(Component c);  // "instance-identity", ...

struct TrustVector {
  std::array<int, kComponents> claims{};  // kNoClaim by default

  int& operator[](Component c) { return claims[static_cast<std::size_t>(c)]; }
  int operator[](Component c) const { return claims[static_cast<std::size_t>(c)]; }
  // The worst tier of any element (none when every element is 0).
  EarStatus worst_tier() const;
};

// Fills the vector from the checks of verification, nonce and appraisal (docs/service.md has
// the table): hardware from the chain, signature and TCB checks; configuration from the policy
// bits; executables from the measurement and launch digests; instance-identity from CHIP_ID and
// REPORT_ID; runtime-opaque from SEV-SNP memory encryption and DEBUG.
TrustVector derive_trust_vector(const CheckList& checks, const std::set<std::string>& warnings);

// contraindicated if a check failed; warning if an allowed soft finding; affirming otherwise.
EarStatus derive_status(const CheckList& checks, const std::set<std::string>& warnings);

}  // namespace veritee::rats
