// RFC 3339 time parsing and formatting (time is an input: DESIGN.md 2.5).
#include <ctime>

#include <gtest/gtest.h>

#include "support/test_pki.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee {
namespace {

using test::utc;
using veritee::format_time;
using veritee::parse_time;

TEST(Time, ParsesUtcZ) {
  auto t = parse_time("2024-05-06T21:14:27Z");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(*t, utc(2024, 5, 6, 21, 14, 27));
}

TEST(Time, ParsesLowercaseSeparators) {
  // RFC 3339 section 5.6 allows "t" and "z".
  auto t = parse_time("2024-05-06t21:14:27z");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(*t, utc(2024, 5, 6, 21, 14, 27));
}

TEST(Time, ParsesOffsets) {
  auto plus = parse_time("2024-05-06T23:44:27+02:30");
  ASSERT_TRUE(plus.has_value()) << plus.error().message;
  EXPECT_EQ(*plus, utc(2024, 5, 6, 21, 14, 27));
  auto minus = parse_time("2024-05-06T16:14:27-05:00");
  ASSERT_TRUE(minus.has_value()) << minus.error().message;
  EXPECT_EQ(*minus, utc(2024, 5, 6, 21, 14, 27));
  auto zero = parse_time("2024-05-06T21:14:27+00:00");
  ASSERT_TRUE(zero.has_value()) << zero.error().message;
  EXPECT_EQ(*zero, utc(2024, 5, 6, 21, 14, 27));
}

TEST(Time, OffsetCrossesDateLine) {
  auto t = parse_time("2024-01-01T01:00:00+03:00");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(*t, utc(2023, 12, 31, 22, 0, 0));
}

TEST(Time, ParsesBareDateAsMidnightUtc) {
  auto t = parse_time("2024-05-06");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(*t, utc(2024, 5, 6));
}

TEST(Time, LeapDay) {
  auto t = parse_time("2024-02-29T12:00:00Z");
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(*t, utc(2024, 2, 29, 12));
}

TEST(Time, RejectsGarbage) {
  for (std::string_view bad :
       {"", "now", "yesterday", "2024-13-01T00:00:00Z", "2024-05-32T00:00:00Z",
        "2024-05-06T25:00:00Z", "2024-05-06T21:61:00Z", "2024-05-06T21:14:27", "2024/05/06",
        "2024-05-06T21:14:27Zjunk", "2024-05-06T21:14:27+2"}) {
    auto t = parse_time(bad);
    EXPECT_FALSE(t.has_value()) << "accepted \"" << bad << "\"";
    if (!t) {
      EXPECT_EQ(t.error().code, Errc::kInvalidInput) << bad;
    }
  }
}

TEST(Time, FormatsRfc3339UtcSeconds) {
  EXPECT_EQ(format_time(utc(2024, 5, 6, 21, 14, 27)), "2024-05-06T21:14:27Z");
  EXPECT_EQ(format_time(utc(1999, 12, 31, 23, 59, 59)), "1999-12-31T23:59:59Z");
  EXPECT_EQ(format_time(utc(2038, 1, 19, 3, 14, 8)), "2038-01-19T03:14:08Z") << "past 2^31 s";
}

TEST(Time, FormatTruncatesSubSeconds) {
  auto t = utc(2024, 5, 6, 21, 14, 27) + std::chrono::milliseconds(999);
  EXPECT_EQ(format_time(t), "2024-05-06T21:14:27Z");
}

TEST(Time, RoundTrip) {
  for (std::time_t s : {std::time_t{0}, std::time_t{951782400}, std::time_t{1700000000},
                        std::time_t{4102444799}}) {
    auto t = std::chrono::system_clock::from_time_t(s);
    auto text = format_time(t);
    auto back = parse_time(text);
    ASSERT_TRUE(back.has_value()) << text << ": " << back.error().message;
    EXPECT_EQ(*back, t) << text;
  }
}

}  // namespace
}  // namespace veritee

namespace veritee {
namespace {

// system_clock counts nanoseconds (years 1678-2262): X.509's 9999-12-31 and any 4-digit year
// after 2262 saturate instead of overflowing (found by fuzz_quote through a collateral date).
TEST(FromUtc, SaturatesBeyondTheClockRange) {
  auto far = parse_time("9999-12-31T23:59:59Z");
  ASSERT_TRUE(far.has_value()) << far.error().message;
  EXPECT_EQ(*far, TimePoint::max());
  auto early = parse_time("1000-01-01");
  ASSERT_TRUE(early.has_value()) << early.error().message;
  EXPECT_EQ(*early, TimePoint::min());
  auto ordinary = parse_time("2262-01-01T00:00:00Z");
  ASSERT_TRUE(ordinary.has_value());
  EXPECT_LT(*ordinary, TimePoint::max());
  EXPECT_EQ(format_time(*parse_time("2024-05-06T21:14:27Z")), "2024-05-06T21:14:27Z");
}

}  // namespace
}  // namespace veritee
