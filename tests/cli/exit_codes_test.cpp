// The CLI's exit codes are defined once (apps/veritee/exit_codes.hpp) and derived from the
// library's verdict, never computed separately.
#include <gtest/gtest.h>

#include "veritee/exit_codes.hpp"

namespace veritee::cli {
namespace {

TEST(ExitCodes, DocumentedValues) {
  EXPECT_EQ(static_cast<int>(kExitVerified), 0);
  EXPECT_EQ(static_cast<int>(kExitCheckFailed), 1);
  EXPECT_EQ(static_cast<int>(kExitUsage), 2);
  EXPECT_EQ(static_cast<int>(kExitEndorsement), 3);
  EXPECT_EQ(static_cast<int>(kExitUnavailable), 4);
  EXPECT_EQ(static_cast<int>(kExitPolicy), 5);  // authentic but fails the policy (issue 12)
}

TEST(ExitCodes, FollowTheVerdict) {
  EXPECT_EQ(exit_code_of(Verdict::kVerified), kExitVerified);
  EXPECT_EQ(exit_code_of(Verdict::kInputMalformed), kExitUsage);
  EXPECT_EQ(exit_code_of(Verdict::kEvidenceFailed), kExitCheckFailed);
  EXPECT_EQ(exit_code_of(Verdict::kEndorsementProblem), kExitEndorsement);
}

}  // namespace
}  // namespace veritee::cli
