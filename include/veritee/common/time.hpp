// Time as an input (every validity and freshness decision takes a `now`), and its RFC 3339
// text form in UTC.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "veritee/common/error.hpp"

namespace veritee {

using TimePoint = std::chrono::system_clock::time_point;

std::string format_time(TimePoint t);  // RFC 3339, UTC, seconds
// RFC 3339 ("2024-05-06T21:14:27Z", offsets allowed) or a date ("2024-05-06", midnight UTC).
Result<TimePoint> parse_time(std::string_view text);

}  // namespace veritee
