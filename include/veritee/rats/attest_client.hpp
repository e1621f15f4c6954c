// The attester's client (RFC 9334 section 5.1, passport model): get a nonce from the verifier,
// have the guest put it in a report, send the evidence, and get the EAR back -- checked
// against the verifier's JWKS before it is handed to a relying party.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "veritee/common/error.hpp"
#include "veritee/guest/provider.hpp"
#include "veritee/rats/appraiser.hpp"
#include "veritee/rats/nonce.hpp"
#include "veritee/rats/result_check.hpp"

namespace veritee::rats {

struct Challenge {
  Bytes nonce;
  std::string expires;  // RFC 3339, as the verifier said
};

struct AttestClientOptions {
  std::string verifier_url;                  // http(s)://host:port[/base]
  NonceBinding binding = NonceBinding::kSha512;
  std::optional<std::uint32_t> vmpl;
  std::chrono::milliseconds timeout{30'000};
  std::string ca_file;  // PEM CA certificates an https:// verifier must chain to; system store when empty
};

// POST /v1/challenge. Errc::kNetwork when the verifier cannot be reached or answers 5xx.
Result<Challenge> request_challenge(const AttestClientOptions& options);

// POST /v1/attest with the submission: the EAR token. A 4xx answer is an error whose code
// follows the status (400 kInvalidInput, 422 kEndorsementMissing), 5xx kNetwork.
Result<std::string> submit_evidence(const AttestClientOptions& options,
                                    const Submission& submission);

// GET /.well-known/jwks.json.
Result<Jwks> fetch_jwks(std::string_view url, std::chrono::milliseconds timeout,
                        const std::string& ca_file = {});

// The JSON body of a submission (base64 members), as the service reads it.
nlohmann::json submission_json(const Submission& submission);

struct AttestOutcome {
  Challenge challenge;
  Bytes report_data;   // what was put in REPORT_DATA (or the HCL user data)
  std::string provider;
  std::string ear;     // the token as received
  ResultCheck check;   // the token checked against the verifier's JWKS and our nonce
};

// The whole passport flow with one evidence provider (a real guest device, or a test double).
// Errors: the provider's (device unavailable, ...), or the verifier's as above. A result that
// is not affirming is not an error: see outcome.check.status.
Result<AttestOutcome> attest(guest::EvidenceProvider& provider,
                             const AttestClientOptions& options, veritee::TimePoint now);

}  // namespace veritee::rats
