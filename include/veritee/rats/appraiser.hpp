// Evidence in, AttestationResult out: the Verifier role of RFC 9334 section 3 as a library
// call, without HTTP. Data flows one way (STYLE.md): bytes -> report view -> endorsements ->
// Verifier (authenticity) -> nonce -> appraisal policy -> result.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/endorsement_resolver.hpp"
#include "veritee/endorse/pcs.hpp"
#include "veritee/rats/attestation_result.hpp"
#include "veritee/rats/clock.hpp"
#include "veritee/rats/nonce.hpp"
#include "veritee/rats/policy_file.hpp"
#include "veritee/snp/trust_store.hpp"
#include "veritee/tdx/verify.hpp"
#include "veritee/x509/verified_links.hpp"

namespace veritee::rats {

// The body of POST /v1/attest, decoded (docs/service.md).
struct Submission {
  std::optional<Bytes> report;      // a report (raw, or any container load_evidence reads)
  std::optional<Bytes> hcl;         // an Azure HCL blob, instead of "report"
  std::optional<Bytes> vcek;        // the signer's certificate, DER (VCEK or VLEK)
  std::optional<Bytes> cert_table;  // the host's certificate table (GUID table)
  std::optional<Bytes> nonce;
  std::optional<Bytes> quote;             // an Intel SGX/TDX DCAP quote, instead of "report"
  std::optional<std::string> collateral;  // its collateral JSON (docs/dcap.md), as text
};

// Strict: a JSON object whose members are among the above, each a base64 string, except
// "collateral" (the collateral JSON: an object, or that object's text as a string).
// Errc::kInvalidInput says what is wrong.
Result<Submission> parse_submission(std::string_view json_body);

// Finds endorsements for a report (normally endorse::EndorsementResolver::resolve).
using EndorsementSource =
    std::function<Result<endorse::Resolution>(const snp::Report&, const endorse::ResolveRequest&)>;

// Finds DCAP collateral for a quote (normally endorse::PcsFetcher::collateral: the bundle, the
// verified cache, Intel PCS), judging staleness at `at` (the verification time).
using CollateralSource = std::function<Result<endorse::FetchedCollateral>(
    const tdx::CollateralRequest&, veritee::TimePoint at)>;

// How CRLs are used: fetched and required (online default), used when the cache or bundle has
// one (offline default), or not at all.
enum class CrlMode { kRequired, kIfAvailable, kOff };

// The message of the Errc::kNetwork error appraise() returns when the nonce cannot be checked
// because the shared replay set (Redis) is unreachable; the nonce is not consumed.
inline constexpr std::string_view kNonceStoreUnavailable =
    "the shared nonce store is unavailable, so the nonce cannot be checked; try again later";

struct AppraiserConfig {
  AppraisalPolicy policy;
  const snp::TrustStore* roots = &snp::TrustStore::amd();
  EndorsementSource endorsements;  // required
  CollateralSource collateral;     // DCAP quotes without "collateral"; none: such requests get 422
  CrlMode crl = CrlMode::kIfAvailable;
  NonceService* nonces = nullptr;  // required when a submission carries a nonce
  Clock clock = system_clock();    // nonce expiry, the EAR's iat
  Clock verification_clock;        // certificate validity (`veritee serve --at`); `clock` when empty
};

class Appraiser {
 public:
  explicit Appraiser(AppraiserConfig config) : config_(std::move(config)) {}

  // Errc::kInvalidInput: the submission cannot be appraised as given (no report, wrong size,
  // unparsable certificate, nonce missing while the policy requires one) -- HTTP 400.
  // Errc::kEndorsementMissing / kEndorsementInvalid / kNetwork: endorsements could not be had
  // -- HTTP 422 / 502 / 503. Anything that could be appraised is a result, whatever its status.
  // `provenance`, when given, receives where each endorsement came from (for metrics).
  Result<AttestationResult> appraise(const Submission& submission,
                                     std::vector<endorse::Provenance>* provenance = nullptr) const;

  const AppraiserConfig& config() const { return config_; }

 private:
  // A submission with "quote" (dcap_appraiser.cpp).
  Result<AttestationResult> appraise_quote(const Submission& submission,
                                           std::vector<endorse::Provenance>* provenance) const;
  AppraiserConfig config_;
  mutable VerifiedLinks links_;
  mutable tdx::DcapMemo dcap_memo_;  // DCAP collateral chains, CRLs and documents verified
};

}  // namespace veritee::rats
