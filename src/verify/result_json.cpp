#include "veritee/verify/result_json.hpp"

#include <string>

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

}  // namespace veritee
