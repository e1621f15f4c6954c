// The relying party's side (RFC 9334 section 3, "Relying Party"): check an EAR before acting
// on it -- signature against the verifier's JWKS, issuer, freshness, nonce, status -- each as
// a Check, so the summary and the exit code come from one list (DESIGN.md invariant 4).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "veritee/common/bytes.hpp"
#include "veritee/common/check.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/trust_vector.hpp"

namespace veritee::rats {

struct ResultCheckOptions {
  veritee::TimePoint now;
  std::optional<Bytes> nonce;                  // must equal eat_nonce when given
  EarStatus accept = EarStatus::kAffirming;    // the worst status accepted
  std::optional<std::string> issuer;           // must equal "iss" when given
  std::chrono::seconds max_age{300};           // iat no older than this (0: not checked)
  std::chrono::seconds leeway{60};             // clock skew allowed for iat and exp
};

struct ResultCheck {
  CheckList checks;
  nlohmann::json header;   // empty when the token could not be decoded
  nlohmann::json claims;   // only when the signature verified
  std::optional<EarStatus> status;
  bool malformed = false;  // not a JWS at all (exit 2 rather than 1)
};

ResultCheck check_result(std::string_view token, const Jwks& keys,
                         const ResultCheckOptions& options);

// A readable summary: status, trustworthiness vector, failed checks, the report's identity
// (product, measurement, chip), and every check of the relying party.
std::string summarize(const ResultCheck& result);

}  // namespace veritee::rats
