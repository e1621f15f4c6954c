// One check of a verification: what was compared, and the outcome. The verdict, the exit code
// and any attestation result are derived from the ordered list of checks (DESIGN.md 2.4).
#pragma once

#include <string>
#include <string_view>
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

// Documented exit codes of every veritee command that verifies.
enum ExitCode : int {
  kExitVerified = 0,
  kExitCheckFailed = 1,       // the evidence failed a check
  kExitUsage = 2,             // usage error, or unreadable/malformed input
  kExitEndorsement = 3,       // an endorsement is missing or unusable
  kExitPolicy = 5,            // authentic evidence that fails the appraisal policy
};

struct CheckList {
  std::vector<Check> checks;

  bool passed() const;  // no check failed
  // 0 when passed; 1 when an evidence check failed; otherwise 3.
  ExitCode exit_code() const;
  const Check* find(std::string_view id) const;
  void add(Check check) { checks.push_back(std::move(check)); }
};

}  // namespace veritee
