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
  // Built in place: each member is moved into its parent (an initializer list copies its
  // elements, which copied the report's JSON and the checks twice per result).
  nlohmann::json vector = nlohmann::json::object();
  for (std::size_t i = 0; i < kComponents; ++i) {
    vector[std::string(to_string(static_cast<Component>(i)))] = r.vector.claims[i];
  }
  nlohmann::json checks = nlohmann::json::array();
  checks.get_ref<nlohmann::json::array_t&>().reserve(r.checks.checks.size());
  for (const Check& c : r.checks.checks) {
    nlohmann::json one = nlohmann::json::object();
    one["id"] = c.id;
    one["status"] = std::string(to_string(c.status));
    one["subject"] = c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement";
    one["detail"] = c.detail;
    checks.push_back(std::move(one));
  }
  nlohmann::json submod = nlohmann::json::object();
  submod["ear.status"] = std::string(to_string(r.status));
  submod["ear.trustworthiness-vector"] = std::move(vector);
  submod["ear.appraisal-policy-id"] = r.policy_id;
  submod["veritee.evidence"] = r.evidence;
  submod["veritee.report"] = r.report;
  submod["veritee.checks"] = std::move(checks);
  submod["veritee.failed-checks"] = r.failed_check_ids();
  submod["veritee.warnings"] = std::vector<std::string>(r.warnings.begin(), r.warnings.end());
  if (r.binding) submod["veritee.nonce-binding"] = std::string(to_string(*r.binding));

  const auto iat = unix_seconds(r.appraised_at);
  nlohmann::json claims = nlohmann::json::object();
  claims["eat_profile"] = kEarProfile;
  claims["iat"] = iat;
  claims["exp"] = iat + verifier.lifetime.count();  // RFC 7519 section 4.1.4
  claims["iss"] = verifier.issuer;                  // RFC 7519 section 4.1.1
  claims["ear.verifier-id"] = {
      {"developer", verifier.developer},
      {"build", verifier.build.empty() ? std::string("veritee ") + VERITEE_VERSION : verifier.build}};
  claims["submods"] = nlohmann::json::object();
  claims["submods"][r.submod] = std::move(submod);
  // EAT "eat_nonce" (RFC 9711 section 4.1), base64url as in the JSON serialization.
  if (r.nonce) claims["eat_nonce"] = to_base64url(*r.nonce);
  return claims;
}

}  // namespace veritee::rats
