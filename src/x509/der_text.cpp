#include "x509/der_text.hpp"

namespace veritee::x509::detail {

std::optional<Bytes> base64_der(ByteView input) {
  if (input.empty() || input.front() == 0x30) return std::nullopt;
  std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  auto decoded = from_base64(text);
  if (!decoded || decoded->empty() || decoded->front() != 0x30) return std::nullopt;
  return std::move(*decoded);
}

}  // namespace veritee::x509::detail
