// Authenticity of a report (the go-sev-guest "verify" stage): well-formedness, the AMD chain,
// the report signature and the binding of REPORTED_TCB and CHIP_ID to the signing
// certificate. Appraisal against reference values is a separate stage.
#pragma once

#include <optional>

#include "veritee/common/check.hpp"
#include "veritee/verify/endorsements.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/trust_store.hpp"
#include "veritee/x509/verified_links.hpp"

namespace veritee {

struct VerifyOptions {
  veritee::TimePoint now;                     // validity decisions use this, never the clock
  std::optional<snp::Product> product;     // user's statement; must agree with the evidence
  bool require_crl = false;                // fail (rather than skip) when no CRL is given
};

struct VerificationResult {
  CheckList checks;
  std::optional<snp::Product> product;  // as determined, when it could be
  bool verified() const { return checks.passed(); }
};

class Verifier {
 public:
  explicit Verifier(const snp::TrustStore& roots = snp::TrustStore::amd()) : roots_(&roots) {}
  // With a memo: certificate links that verified once are not re-verified (the memo must
  // outlive the verifier; it may be shared between threads).
  Verifier(const snp::TrustStore& roots, VerifiedLinks& memo) : roots_(&roots), memo_(&memo) {}

  VerificationResult verify(const snp::Report& report, const Endorsements& endorsements,
                            const VerifyOptions& options) const;

 private:
  const snp::TrustStore* roots_;
  VerifiedLinks* memo_ = nullptr;
};

}  // namespace veritee
