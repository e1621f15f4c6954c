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

std::string_view to_string(Component c) {
  static constexpr std::string_view kNames[kComponents] = {
      "instance-identity", "configuration", "executables",    "file-system",
      "hardware",          "runtime-opaque", "storage-opaque", "sourced-data"};
  return kNames[static_cast<std::size_t>(c)];
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

// Which component an appraisal rule speaks for, and its value when the rule fails.
struct RuleClaim {
  std::string_view id;
  Component component;
  int on_fail;
};

constexpr RuleClaim kRules[] = {
    {"policy.debug", Component::kConfiguration, claim::kContraindicated},
    {"policy.migrate_ma", Component::kConfiguration, claim::kContraindicated},
    {"policy.smt", Component::kConfiguration, claim::kContraindicated},
    {"policy.single_socket", Component::kConfiguration, claim::kContraindicated},
    {"policy.abi", Component::kConfiguration, claim::kContraindicated},
    {"policy.vmpl", Component::kConfiguration, claim::kContraindicated},
    {"policy.host_data", Component::kConfiguration, claim::kContraindicated},
    {"policy.report_data", Component::kConfiguration, claim::kContraindicated},
    {"policy.policy_bits", Component::kConfiguration, claim::kContraindicated},
    {"policy.platform_bits", Component::kConfiguration, claim::kContraindicated},
    {"policy.min_tcb", Component::kHardware, claim::kContraindicated},
    {"policy.min_launch_tcb", Component::kHardware, claim::kContraindicated},
    {"policy.build", Component::kHardware, claim::kContraindicated},
    {"policy.version", Component::kHardware, claim::kContraindicated},
    {"policy.product", Component::kHardware, claim::kContraindicated},
    {"policy.signing_key", Component::kHardware, claim::kContraindicated},
    {"policy.launch_mit_vector", Component::kHardware, claim::kContraindicated},
    {"policy.current_mit_vector", Component::kHardware, claim::kContraindicated},
    {"policy.measurement", Component::kExecutables, claim::kContraindicated},
    {"policy.family_id", Component::kExecutables, claim::kContraindicated},
    {"policy.image_id", Component::kExecutables, claim::kContraindicated},
    {"policy.id_key_digest", Component::kExecutables, claim::kContraindicated},
    {"policy.author_key_digest", Component::kExecutables, claim::kContraindicated},
    {"policy.guest_svn", Component::kExecutables, claim::kContraindicated},
    {"policy.chip_id", Component::kInstanceIdentity, claim::kUnrecognized},
    {"policy.report_id", Component::kInstanceIdentity, claim::kUnrecognized},
    {"policy.report_id_ma", Component::kInstanceIdentity, claim::kUnrecognized},
};

const RuleClaim* rule_of(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// Evidence the verifier could not authenticate, or that is not fresh, supports no claim: every
// component it would speak for is "cryptographic validation failed".
bool authenticity(std::string_view id) { return !id.starts_with("policy."); }

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
    const RuleClaim* rule = rule_of(c.id);
    if (!rule) continue;
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
