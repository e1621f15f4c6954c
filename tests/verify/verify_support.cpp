#include "verify/verify_support.hpp"

namespace veritee::test {

std::string dump(const CheckList& checks) {
  std::string out;
  for (const auto& c : checks.checks) {
    out += "  " + c.id + ": " + std::string(to_string(c.status)) + " (" +
           (c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement") + "): " + c.detail +
           "\n";
  }
  out += "  exit code " + std::to_string(static_cast<int>(checks.verdict())) + "\n";
  return out;
}

testing::AssertionResult check_is(const CheckList& checks, const std::string& id,
                                  CheckStatus status) {
  const Check* c = checks.find(id);
  if (c == nullptr) return testing::AssertionFailure() << "no check \"" << id << "\" in\n" << dump(checks);
  if (c->status != status) {
    return testing::AssertionFailure() << "check \"" << id << "\" is " << to_string(c->status)
                                       << ", want " << to_string(status) << "\n"
                                       << dump(checks);
  }
  return testing::AssertionSuccess();
}

}  // namespace veritee::test
