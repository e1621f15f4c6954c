#include "veritee/common/error.hpp"

namespace veritee {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::kInvalidInput: return "invalid input";
    case Errc::kTruncated: return "truncated input";
    case Errc::kUnknownVersion: return "unknown version";
    case Errc::kUnknownProduct: return "unknown product";
    case Errc::kEndorsementMissing: return "endorsement missing";
    case Errc::kEndorsementInvalid: return "endorsement invalid";
    case Errc::kCrypto: return "cryptographic error";
    case Errc::kIo: return "I/O error";
    case Errc::kNetwork: return "network error";
    case Errc::kUnsupported: return "unsupported";
  }
  return "error";
}

}  // namespace veritee
