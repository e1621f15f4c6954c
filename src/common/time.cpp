// RFC 3339 time text <-> system_clock, in UTC.
#include <cstdio>
#include <ctime>

#include "veritee/common/time.hpp"

namespace veritee {

std::string format_time(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<TimePoint> parse_time(std::string_view text) {
  std::string s(text);
  auto bad = [&] {
    return fail(Errc::kInvalidInput, "not an RFC 3339 time: '" + s +
                                         "' (expected e.g. 2024-05-06T21:14:27Z or 2024-05-06)");
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10) {
    return bad();
  }
  std::size_t pos = 10;
  long offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad();
    ++pos;
    if (std::sscanf(s.c_str() + pos, "%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3 || used != 8) {
      return bad();
    }
    pos += 8;
    if (pos < s.size() && s[pos] == '.') {  // fractional seconds: ignored
      ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
    if (pos >= s.size()) return bad();  // a time needs its zone
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d%n", &oh, &om, &used) != 2 || used != 5) {
        return bad();
      }
      offset_seconds = (s[pos] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
      pos += 6;
    } else {
      return bad();
    }
    if (pos != s.size()) return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return bad();
  // timegm would normalize an impossible date (2026-02-31 becoming March 3rd): refuse it.
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > days[mo - 1]) {
    return fail(Errc::kInvalidInput, "not a date: '" + s + "' (" + std::to_string(y) + "-" +
                                         (mo < 10 ? "0" : "") + std::to_string(mo) + " has " +
                                         std::to_string(days[mo - 1]) + " days)");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return from_utc(tm, offset_seconds);
}

TimePoint from_utc(std::tm tm, long offset_seconds) {
  using std::chrono::seconds;
  constexpr auto kMax = std::chrono::duration_cast<seconds>(TimePoint::duration::max()).count();
  constexpr auto kMin = std::chrono::duration_cast<seconds>(TimePoint::duration::min()).count();
  const long long s = static_cast<long long>(timegm(&tm)) - offset_seconds;
  if (s >= kMax) return TimePoint::max();
  if (s <= kMin) return TimePoint::min();
  return TimePoint(seconds(s));
}

}  // namespace veritee
