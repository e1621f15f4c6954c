// One check of a verification: what was compared, and the outcome. The verdict, the exit code
// and any attestation result are derived from the ordered list of checks (DESIGN.md 2.4).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace veritee {

enum class CheckStatus { kPass, kFail, kSkip };

// Who is to blame when the check fails: the evidence (exit 1) or an endorsement that is
// missing or unusable (exit 3).
enum class CheckSubject { kEvidence, kEndorsement };

struct Check {
  std::string id;  // stable, e.g. "report.signature"
  CheckStatus status = CheckStatus::kFail;
  CheckSubject subject = CheckSubject::kEvidence;
  std::string detail;  // a sentence naming the values compared

  bool ok() const { return status != CheckStatus::kFail; }
};

std::string_view to_string(CheckStatus status);  // "pass", "fail", "skip"

inline Check pass(std::string id, CheckSubject subject, std::string detail) {
  return {std::move(id), CheckStatus::kPass, subject, std::move(detail)};
}
inline Check failed(std::string id, CheckSubject subject, std::string detail) {
  return {std::move(id), CheckStatus::kFail, subject, std::move(detail)};
}
inline Check skipped(std::string id, CheckSubject subject, std::string detail) {
  return {std::move(id), CheckStatus::kSkip, subject, std::move(detail)};
}

// What a verification came to, most severe first when several apply to a batch. Callers map
// it to their own vocabulary (the CLI to exit codes, the service to HTTP statuses).
enum class Verdict {
  kVerified,             // every check passed or was skipped
  kInputMalformed,       // the evidence could not be read or parsed
  kEvidenceFailed,       // a check blamed on the evidence failed
  kEndorsementProblem,   // only checks blamed on endorsements failed (missing or unusable)
};

struct CheckList {
  std::vector<Check> checks;

  bool passed() const;  // no check failed
  // kVerified when passed; kEvidenceFailed when an evidence check failed; otherwise
  // kEndorsementProblem.
  Verdict verdict() const;
  const Check* find(std::string_view id) const;
  void add(Check check) { checks.push_back(std::move(check)); }
};

}  // namespace veritee
