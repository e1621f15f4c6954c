// The outcome of appraising one piece of evidence, and its EAR claims set
// (draft-ietf-rats-ear, profile "tag:github.com,2023:veraison/ear"; DESIGN.md section 4).
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "veritee/common/bytes.hpp"
#include "veritee/common/check.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/rats/nonce.hpp"
#include "veritee/rats/trust_vector.hpp"

namespace veritee::rats {

inline constexpr const char* kEarProfile = "tag:github.com,2023:veraison/ear";
inline constexpr const char* kSubmodName = "SEV-SNP";  // DCAP quotes: "TDX" or "SGX"

struct AttestationResult {
  CheckList checks;                 // verification, nonce, evidence container, appraisal
  std::set<std::string> warnings;   // ids of allowed soft findings
  EarStatus status = EarStatus::kNone;
  TrustVector vector;
  std::string submod = kSubmodName;  // the EAR submod: "SEV-SNP", "TDX", "SGX"
  nlohmann::json report;            // snp::report_to_json of the report; a quote's: docs/service.md
  std::string evidence;             // "raw report", "Azure HCL blob", "DCAP quote v4", ...
  std::optional<Bytes> nonce;
  std::optional<NonceBinding> binding;
  std::string policy_id;
  veritee::TimePoint appraised_at;

  std::vector<std::string> failed_check_ids() const;
};

// Who signs results, for the EAR's "iss" and "ear.verifier-id" claims.
struct VerifierIdentity {
  std::string issuer = "veritee";  // "iss" (RFC 7519 section 4.1.1)
  std::string developer = "https://github.com/veritee/veritee";
  std::string build;               // "veritee <version>" when empty
  std::chrono::seconds lifetime{3600};  // "exp" = iat + lifetime
};

// {"eat_profile", "iat", "exp", "iss", "ear.verifier-id", "eat_nonce" (base64url, when a nonce
// was given), "submods": {"SEV-SNP" (or "TDX", "SGX"): {"ear.status", "ear.trustworthiness-vector",
// "ear.appraisal-policy-id", "veritee.report", "veritee.checks", "veritee.failed-checks",
// "veritee.warnings", "veritee.evidence", "veritee.nonce-binding"}}}.
nlohmann::json ear_claims(const AttestationResult& result, const VerifierIdentity& verifier);

}  // namespace veritee::rats
