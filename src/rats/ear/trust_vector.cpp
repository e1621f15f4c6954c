// AR4SI trustworthiness vector from the check trace (draft-ietf-rats-ar4si section 2.3; claim
// values as veraison/ear defines them). docs/service.md has the table this implements.
#include "veritee/rats/trust_vector.hpp"

#include <algorithm>

namespace veritee::rats {

std::string_view to_string(EarStatus status) {
  switch (status) {
    case EarStatus::kAffirming: return "affirming";
    case EarStatus::kWarning: return "warning";
    case EarStatus::kContraindicated: return "contraindicated";
    case EarStatus::kNone: return "none";
  }
  return "none";
}

std::optional<EarStatus> parse_ear_status(std::string_view name) {
  for (auto s : {EarStatus::kAffirming, EarStatus::kWarning, EarStatus::kContraindicated, EarStatus::kNone}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

EarStatus tier_of(int claim) {
  if (claim >= 96) return EarStatus::kContraindicated;
  if (claim >= 32) return EarStatus::kWarning;
  if (claim >= 2) return EarStatus::kAffirming;
  return EarStatus::kNone;
}

EarStatus TrustVector::worst_tier() const {
  // Order by badness: none < affirming < warning < contraindicated for this purpose.
  auto rank = [](EarStatus s) {
    switch (s) {
      case EarStatus::kNone: return 0;
      case EarStatus::kAffirming: return 1;
      case EarStatus::kWarning: return 2;
      case EarStatus::kContraindicated: return 3;
    }
    return 0;
  };
  EarStatus worst = EarStatus::kNone;
  for (int c : claims) {
    if (rank(tier_of(c)) > rank(worst)) worst = tier_of(c);
  }
  return worst;
}

namespace {

// Evidence the verifier could not authenticate, or that is not fresh, supports no claim: every
// component it would speak for is "cryptographic validation failed". An id the registry does
// not know counts as such a check (fail closed).
bool authenticity(std::string_view id) {
  const verify::CheckInfo* info = verify::find_check(id);
  return info == nullptr || info->stage != verify::Stage::kAppraisal;
}

}  // namespace

TrustVector derive_trust_vector(const CheckList& checks, const std::set<std::string>& warnings) {
  TrustVector v;
  const bool authentic = std::none_of(checks.checks.begin(), checks.checks.end(), [](const Check& c) {
    return !c.ok() && authenticity(c.id);
  });
  if (!authentic) {
    for (auto c : {Component::kInstanceIdentity, Component::kConfiguration, Component::kExecutables,
                   Component::kHardware, Component::kRuntimeOpaque}) {
      v[c] = claim::kCryptoFailed;
    }
    return v;
  }
  // Authentic: genuine AMD hardware running an SEV-SNP guest (encrypted memory).
  v[Component::kHardware] = claim::kAffirming;
  v[Component::kRuntimeOpaque] = claim::kAffirming;
  if (const Check* chip = checks.find("report.chip_id"); chip && chip->status == CheckStatus::kPass) {
    v[Component::kInstanceIdentity] = claim::kAffirming;  // CHIP_ID bound to the VCEK
  }
  for (const Check& c : checks.checks) {
    const verify::CheckInfo* rule = verify::find_check(c.id);
    if (!rule || rule->stage != verify::Stage::kAppraisal) continue;
    int& slot = v[rule->component];
    int value = c.status == CheckStatus::kFail ? rule->on_fail
                : warnings.contains(c.id)      ? claim::kWarning
                : rule->component == Component::kExecutables ? claim::kApprovedBoot
                                                             : claim::kAffirming;
    // Keep the worst value per component (contraindicated > warning > affirming > none).
    if (tier_of(value) == EarStatus::kContraindicated || slot == claim::kNoClaim ||
        (tier_of(value) == EarStatus::kWarning && tier_of(slot) == EarStatus::kAffirming)) {
      if (tier_of(slot) != EarStatus::kContraindicated) slot = value;
    }
  }
  // DEBUG lets the host read guest memory: runtime-opaque is "visible" when refused, and at
  // best a warning when the policy allows it.
  if (const Check* d = checks.find("policy.debug")) {
    if (d->status == CheckStatus::kFail) v[Component::kRuntimeOpaque] = claim::kContraindicated;
    else if (warnings.contains("policy.debug")) v[Component::kRuntimeOpaque] = claim::kWarning;
  }
  return v;
}

EarStatus derive_status(const CheckList& checks, const std::set<std::string>& warnings) {
  if (!checks.passed()) return EarStatus::kContraindicated;
  return warnings.empty() ? EarStatus::kAffirming : EarStatus::kWarning;
}

}  // namespace veritee::rats
