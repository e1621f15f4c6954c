// How evidence arrived as bytes: binary, or hex or base64 text decoded. The first step of
// reading evidence of any family (SNP reports in snp/evidence.hpp, DCAP quotes in
// tdx/quote.hpp); the decoded bytes are kept, never re-encoded.
#pragma once

#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee {

enum class Encoding { kBinary, kHex, kBase64 };
std::string_view to_string(Encoding encoding);  // "binary", "hex", "base64"

struct DecodedInput {
  Bytes data;
  Encoding encoding = Encoding::kBinary;
};

// Printable text is decoded as hex (a leading "0x" allowed) or else base64; any other input is
// binary and kept as is. Empty input is Errc::kTruncated.
Result<DecodedInput> decode_input(ByteView input);

}  // namespace veritee
