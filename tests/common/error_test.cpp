// Errors seen from one level up: the context is chained in front of the message, the code is
// kept or recoded into the caller's vocabulary, and nothing else changes.
#include <gtest/gtest.h>

#include "veritee/common/error.hpp"

namespace veritee {
namespace {

Result<int> parse(bool ok) {
  if (!ok) return fail(Errc::kTruncated, "ends at byte 3");
  return 7;
}

Result<int> load(bool ok) {
  auto v = parse(ok);
  if (!v) return fail_within(v, "vcek.pem");
  return *v;
}

Result<int> endorse(bool ok) {
  auto v = load(ok);
  if (!v) return fail_within(v, "VCEK for Milan", Errc::kEndorsementInvalid);
  return *v;
}

TEST(ErrorContext, ChainsOutermostFirstAndKeepsTheCode) {
  auto inner = load(false);
  ASSERT_FALSE(inner.has_value());
  EXPECT_EQ(inner.error().code, Errc::kTruncated);
  EXPECT_EQ(inner.error().message, "vcek.pem: ends at byte 3");

  auto outer = endorse(false);
  ASSERT_FALSE(outer.has_value());
  EXPECT_EQ(outer.error().code, Errc::kEndorsementInvalid);
  EXPECT_EQ(outer.error().message, "VCEK for Milan: vcek.pem: ends at byte 3");
}

TEST(ErrorContext, ValuesPassThrough) {
  auto ok = endorse(true);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 7);
}

TEST(ErrorContext, WithinOnAnErrorValue) {
  Error e{Errc::kIo, "permission denied"};
  Error up = std::move(e).within("reading policy.toml");
  EXPECT_EQ(up.code, Errc::kIo);
  EXPECT_EQ(up.message, "reading policy.toml: permission denied");
}

}  // namespace
}  // namespace veritee
