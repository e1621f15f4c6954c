// EAR claims (draft-ietf-rats-ear section 3; JSON serialization as in the veraison/ear
// profile "tag:github.com,2023:veraison/ear"), with veritee's own claims in the submod.
#include "veritee/rats/attestation_result.hpp"

#include "veritee/rats/clock.hpp"

#ifndef VERITEE_VERSION
#define VERITEE_VERSION "0"
#endif

namespace veritee::rats {

std::vector<std::string> AttestationResult::failed_check_ids() const {
  std::vector<std::string> out;
  for (const Check& c : checks.checks) {
    if (!c.ok()) out.push_back(c.id);
  }
  return out;
}

nlohmann::json ear_claims(const AttestationResult& r, const VerifierIdentity& verifier) {
  nlohmann::json vector = nlohmann::json::object();
  for (std::size_t i = 0; i < kComponents; ++i) {
    vector[std::string(to_string(static_cast<Component>(i)))] = r.vector.claims[i];
  }
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : r.checks.checks) {
    checks.push_back({{"id", c.id},
                      {"status", std::string(to_string(c.status))},
                      {"subject", c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement"},
                      {"detail", c.detail}});
  }
  nlohmann::json submod{
      {"ear.status", std::string(to_string(r.status))},
      {"ear.trustworthiness-vector", vector},
      {"ear.appraisal-policy-id", r.policy_id},
      {"veritee.evidence", r.evidence},
      {"veritee.report", r.report},
      {"veritee.checks", checks},
      {"veritee.failed-checks", r.failed_check_ids()},
      {"veritee.warnings", std::vector<std::string>(r.warnings.begin(), r.warnings.end())},
  };
  if (r.binding) submod["veritee.nonce-binding"] = std::string(to_string(*r.binding));

  const auto iat = unix_seconds(r.appraised_at);
  nlohmann::json claims{
      {"eat_profile", kEarProfile},
      {"iat", iat},
      {"exp", iat + verifier.lifetime.count()},  // RFC 7519 section 4.1.4
      {"iss", verifier.issuer},                  // RFC 7519 section 4.1.1
      {"ear.verifier-id",
       {{"developer", verifier.developer},
        {"build", verifier.build.empty() ? std::string("veritee ") + VERITEE_VERSION : verifier.build}}},
      {"submods", {{kSubmodName, submod}}},
  };
  // EAT "eat_nonce" (RFC 9711 section 4.1), base64url as in the JSON serialization.
  if (r.nonce) claims["eat_nonce"] = to_base64url(*r.nonce);
  return claims;
}

}  // namespace veritee::rats
