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
  std::string message;  // the whole sentence, outermost context first: "VCEK vcek.pem: not DER"

  // The error seen from one level up: "context: message", the code kept (or replaced by one the
  // caller's vocabulary owns, e.g. kEndorsementInvalid for a certificate that will not parse).
  Error within(std::string_view context) && {
    message = std::string(context) + ": " + message;
    return std::move(*this);
  }
  Error within(std::string_view context, Errc recoded) && {
    code = recoded;
    return std::move(*this).within(context);
  }
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

// The error of a failed Result seen from one level up (see Error::within), for
//   if (!certs) return fail_within(certs, path.string());
template <class T>
std::unexpected<Error> fail_within(Result<T>& failed, std::string_view context) {
  return std::unexpected<Error>(std::move(failed.error()).within(context));
}
template <class T>
std::unexpected<Error> fail_within(Result<T>& failed, std::string_view context, Errc recoded) {
  return std::unexpected<Error>(std::move(failed.error()).within(context, recoded));
}

}  // namespace veritee
