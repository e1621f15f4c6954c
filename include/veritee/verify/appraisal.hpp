// The second stage after Verifier (STYLE.md: go-sev-guest's verify/validate split): each rule
// of an AppraisalPolicy is one more Check in the trace, its sentence naming the report's value
// and the policy's. Rules the policy does not set add no check; the boolean rules (debug,
// migration agent, SMT, single socket) always do.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "veritee/common/check.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/verify/policy.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::verify {

struct Appraisal {
  CheckList checks;
  // Ids of passing checks that are soft findings the policy allows (e.g. DEBUG set with
  // allow_debug = true): they make the EAR status "warning" rather than "affirming".
  std::set<std::string> warnings;
};

// `product` is the one verification settled on (VerificationResult::product); without it the
// TCB rules fail, since a TCB cannot be decoded without its product (DESIGN.md 3.2).
Appraisal appraise(const snp::Report& report, std::optional<snp::Product> product,
                   const AppraisalPolicy& policy);

}  // namespace veritee::verify
