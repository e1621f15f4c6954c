// The exit codes of every veritee command: defined here once (README "Exit codes").
#pragma once

#include "veritee/common/check.hpp"

namespace veritee::cli {

enum ExitCode : int {
  kExitVerified = 0,     // verified (or, for show, decoded; for other commands, done)
  kExitCheckFailed = 1,  // the evidence failed a check
  kExitUsage = 2,        // usage error, or unreadable or malformed input
  kExitEndorsement = 3,  // an endorsement is missing or unusable
  kExitUnavailable = 4,  // a device or service needed is unavailable
  kExitPolicy = 5,       // authentic evidence that fails the policy or reference value
};

constexpr ExitCode exit_code_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::kVerified: return kExitVerified;
    case Verdict::kInputMalformed: return kExitUsage;
    case Verdict::kEvidenceFailed: return kExitCheckFailed;
    case Verdict::kEndorsementProblem: return kExitEndorsement;
  }
  return kExitCheckFailed;
}

// verify's exit code: exit_code_of, or 5 when authentic evidence fails the policy.
constexpr int exit_code_with_policy(Verdict verdict, bool fails_policy) {
  const ExitCode code = exit_code_of(verdict);
  return code == kExitVerified && fails_policy ? kExitPolicy : code;
}

}  // namespace veritee::cli
