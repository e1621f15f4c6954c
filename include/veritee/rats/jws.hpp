// JWS Compact Serialization (RFC 7515 section 7.1) of JWTs (RFC 7519) signed with ES256 or
// ES384 (RFC 7518 section 3.4).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/signing_key.hpp"

namespace veritee::rats {

// Header {"alg","kid","typ":"JWT"}; the payload serialized as given.
Result<std::string> jws_sign(const SigningKey& key, const nlohmann::json& payload);

struct DecodedJws {
  nlohmann::json header;
  nlohmann::json payload;
  std::string signing_input;  // BASE64URL(header) "." BASE64URL(payload)
  Bytes signature;
};

// Splits and decodes without checking the signature: three parts of strict base64url (no
// padding, no whitespace, RFC 7515 section 2), header and payload JSON objects.
// Errc::kInvalidInput names what is wrong.
Result<DecodedJws> jws_decode(std::string_view token);

struct VerifiedJws {
  DecodedJws jws;
  std::string kid;  // of the key that verified it
  JwsAlg alg;
};

// Decodes and verifies against a key of the set: "alg" must be ES256 or ES384 and match the
// key's curve; "kid", when present, selects the key; a "crit" header is refused (we understand
// no extensions, RFC 7515 section 4.1.11). Errc::kInvalidInput for a malformed token,
// Errc::kCrypto when no key verifies the signature.
Result<VerifiedJws> jws_verify(std::string_view token, const Jwks& keys);

// Strict base64url (RFC 7515 section 2): URL-safe alphabet, no padding, nothing else.
Result<Bytes> from_base64url_strict(std::string_view text);

}  // namespace veritee::rats
