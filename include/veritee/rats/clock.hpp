// Time is an input (DESIGN.md invariant 5): nonce expiry, certificate validity and the EAR's
// `iat` all read a Clock the caller provides, so tests and `--at` control them.
#pragma once

#include <chrono>
#include <functional>

#include "veritee/x509/certificate.hpp"

namespace veritee::rats {

using Clock = std::function<veritee::TimePoint()>;

inline Clock system_clock() {
  return [] { return std::chrono::system_clock::now(); };
}

// Whole seconds since the Unix epoch (JWT NumericDate, RFC 7519 section 2).
inline std::int64_t unix_seconds(veritee::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline veritee::TimePoint from_unix_seconds(std::int64_t s) {
  return veritee::TimePoint(std::chrono::seconds(s));
}

}  // namespace veritee::rats
