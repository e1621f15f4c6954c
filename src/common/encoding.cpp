#include "veritee/common/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace veritee {
namespace {

bool is_text(ByteView in) {
  return std::all_of(in.begin(), in.end(), [](std::uint8_t c) {
    return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
  });
}

bool looks_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) || c == ' ' || c == '\n' ||
           c == '\r' || c == '\t';
  });
}

}  // namespace

std::string_view to_string(Encoding encoding) {
  switch (encoding) {
    case Encoding::kBinary: return "binary";
    case Encoding::kHex: return "hex";
    case Encoding::kBase64: return "base64";
  }
  return "unknown";
}

Result<DecodedInput> decode_input(ByteView input) {
  DecodedInput out;
  if (input.empty()) return fail(Errc::kTruncated, "empty input: no evidence");
  if (is_text(input)) {
    std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    // Hex may carry a leading "0x" (as some tools write it).
    std::size_t lead = text.find_first_not_of(" \t\r\n");
    if (lead != std::string_view::npos && text.substr(lead).starts_with("0x") &&
        looks_hex(text.substr(lead + 2))) {
      text.remove_prefix(lead + 2);
    }
    Result<Bytes> decoded = looks_hex(text) ? from_hex(text) : from_base64(text);
    if (!decoded) {
      return fail_within(decoded, "text input is neither hex nor base64 of evidence",
                         Errc::kInvalidInput);
    }
    out.encoding = looks_hex(text) ? Encoding::kHex : Encoding::kBase64;
    out.data = std::move(*decoded);
  } else {
    out.data.assign(input.begin(), input.end());
  }
  return out;
}

}  // namespace veritee
