// Time as an input (every validity and freshness decision takes a `now`), and its RFC 3339
// text form in UTC.
#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "veritee/common/error.hpp"

namespace veritee {

using TimePoint = std::chrono::system_clock::time_point;

// A calendar time in UTC (minus `offset_seconds`) as a TimePoint. system_clock counts
// nanoseconds, so it holds the years 1678 to 2262 only: later times (X.509's 9999-12-31 "no
// well-defined expiration") saturate to TimePoint::max(), earlier ones to min(), instead of
// overflowing.
TimePoint from_utc(std::tm tm, long offset_seconds = 0);

std::string format_time(TimePoint t);  // RFC 3339, UTC, seconds
// RFC 3339 ("2024-05-06T21:14:27Z", offsets allowed) or a date ("2024-05-06", midnight UTC).
Result<TimePoint> parse_time(std::string_view text);

}  // namespace veritee
