// A guard for request bodies parsed as JSON (POST /v1/attest, POST /v1/inspect).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace veritee::rats::detail {

// The deepest nesting of arrays and objects in JSON text (outside strings), stopping as soon as
// it passes `limit`: a 100,000-deep document is refused before the parser builds it.
inline std::size_t nesting_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace veritee::rats::detail
