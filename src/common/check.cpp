#include "veritee/common/check.hpp"

#include <algorithm>

namespace veritee {

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass: return "pass";
    case CheckStatus::kFail: return "fail";
    case CheckStatus::kSkip: return "skip";
  }
  return "unknown";
}

bool CheckList::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok(); });
}

Verdict CheckList::verdict() const {
  bool evidence = false, endorsement = false;
  for (const Check& c : checks) {
    if (c.ok()) continue;
    (c.subject == CheckSubject::kEvidence ? evidence : endorsement) = true;
  }
  if (evidence) return Verdict::kEvidenceFailed;
  if (endorsement) return Verdict::kEndorsementProblem;
  return Verdict::kVerified;
}

const Check* CheckList::find(std::string_view id) const {
  auto it = std::find_if(checks.begin(), checks.end(), [&](const Check& c) { return c.id == id; });
  return it == checks.end() ? nullptr : &*it;
}

}  // namespace veritee
