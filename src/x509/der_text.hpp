// DER carried as base64 text (how JSON APIs and tinfoil's files hold certificates and CRLs),
// besides binary DER and PEM. Internal to src/x509.
#pragma once

#include <optional>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::x509::detail {

// Binary DER starts with a SEQUENCE tag (X.690 8.9: 0x30); anything else that decodes as
// base64 (RFC 4648, whitespace ignored) to a SEQUENCE is base64 DER. nullopt: the input is
// binary (or neither), to be parsed as it is.
std::optional<Bytes> base64_der(ByteView input);

}  // namespace veritee::x509::detail
