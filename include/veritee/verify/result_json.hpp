// The JSON form of checks, one shape wherever a check list is printed or returned:
// {"id", "ok", "status": "pass"|"fail"|"skip", "subject": "evidence"|"endorsement", "detail"},
// and `veritee verify --json`'s object (docs/json.md), written here once for the CLI and the
// service's POST /v1/inspect.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "veritee/common/check.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/verify/policy.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee {

nlohmann::json check_to_json(const Check& check);
nlohmann::json checks_to_json(const CheckList& checks);  // an array, in the list's order
// check_to_json plus "stage": "authenticity" or "appraisal".
nlohmann::json check_to_json(const Check& check, std::string_view stage);

// {"id", "source", "appraised", "passed", "warnings"}; null without a policy. `appraisal` is
// null when the evidence was not appraised (not authentic).
nlohmann::json policy_to_json(const verify::AppraisalPolicy* policy, const verify::Appraisal* appraisal);

// What `verify --json` prints for one SNP report: {verified, exit_code, checks[], policy,
// endorsements, report}. `exit_code` is the caller's mapping of the outcome (the CLI's exit
// codes); `endorsements` the array of {piece, source} the caller's sources give; `user` the
// product the user stated, if any.
struct VerificationJson {
  const snp::Evidence& evidence;
  const snp::Report& report;
  const VerificationResult& result;
  std::optional<snp::Product> user;
  const verify::AppraisalPolicy* policy = nullptr;
  const verify::Appraisal* appraisal = nullptr;
  int exit_code = 0;
  nlohmann::json endorsements = nlohmann::json::array();
};
nlohmann::json verification_to_json(const VerificationJson& v);

}  // namespace veritee
