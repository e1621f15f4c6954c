#include "veritee/verify/result_json.hpp"

#include <string>

#include "veritee/snp/report_format.hpp"

namespace veritee {

nlohmann::json check_to_json(const Check& c) {
  return {{"id", c.id},
          {"ok", c.ok()},
          {"status", std::string(to_string(c.status))},
          {"subject", c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement"},
          {"detail", c.detail}};
}

nlohmann::json checks_to_json(const CheckList& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const Check& c : checks.checks) out.push_back(check_to_json(c));
  return out;
}

nlohmann::json check_to_json(const Check& c, std::string_view stage) {
  nlohmann::json j = check_to_json(c);
  j["stage"] = std::string(stage);
  return j;
}

nlohmann::json policy_to_json(const verify::AppraisalPolicy* policy, const verify::Appraisal* appraisal) {
  if (!policy) return nullptr;
  nlohmann::json j{{"id", policy->id},
                   {"source", policy->source},
                   {"appraised", appraisal != nullptr},
                   {"passed", appraisal && appraisal->checks.passed()}};
  j["warnings"] = nlohmann::json::array();
  if (appraisal) {
    for (const auto& w : appraisal->warnings) j["warnings"].push_back(w);
  }
  return j;
}

nlohmann::json verification_to_json(const VerificationJson& v) {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : v.result.checks.checks) checks.push_back(check_to_json(c, "authenticity"));
  if (v.appraisal) {
    for (const Check& c : v.appraisal->checks.checks) checks.push_back(check_to_json(c, "appraisal"));
  }
  // Decode with the product the verification settled on (it may come from the certificate).
  auto ctx = snp::decide_product(v.report, v.user, v.result.product);
  nlohmann::json j{{"verified", v.result.verified()},
                   {"exit_code", v.exit_code},
                   {"checks", checks},
                   {"policy", policy_to_json(v.policy, v.appraisal)},
                   {"report", snp::report_to_json(v.report, ctx)}};
  j["endorsements"] = v.endorsements;
  j["report"]["evidence"] = snp::evidence_origin_to_json(v.evidence);
  return j;
}

}  // namespace veritee
