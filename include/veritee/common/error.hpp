// Errors as values at every library boundary (a closed set of codes, each with a message).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace veritee {

enum class Errc {
  kInvalidInput,      // malformed or unreadable input (wrong size, bad encoding, bad field)
  kTruncated,         // input ends before a structure it must hold
  kUnknownVersion,    // a version number this build does not know
  kUnknownProduct,    // product (Milan/Genoa/Turin) cannot be determined or is not known
  kEndorsementMissing,   // a certificate or CRL needed for a check is absent
  kEndorsementInvalid,   // a certificate or CRL is present but unusable
  kCrypto,            // OpenSSL reported an error
  kIo,                // reading or writing a file failed
  kNetwork,           // an HTTP request failed
  kUnsupported,       // the request is valid but not supported here (e.g. by the firmware)
};

std::string_view to_string(Errc code);

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace veritee
