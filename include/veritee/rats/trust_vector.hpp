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

#include "veritee/common/check.hpp"
#include "veritee/verify/check_registry.hpp"

namespace veritee::rats {

// draft-ietf-rats-ear section 3.2 "ear.status"; ordered best to worst.
enum class EarStatus { kAffirming, kWarning, kContraindicated, kNone };
std::string_view to_string(EarStatus status);
std::optional<EarStatus> parse_ear_status(std::string_view name);
// The tier of an AR4SI claim value: 0 and 1 none, 2..31 affirming, 32..95 warning,
// 96..127 contraindicated; -1 (verifier malfunction) none.
EarStatus tier_of(int claim);

// The AR4SI components and claim values are the check registry's (every registered check
// names the component it speaks for): the same names here.
namespace claim = verify::claim;
using verify::Component;
using verify::kComponents;
using verify::to_string;

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
