// JSON Web Keys (RFC 7517) for the verifier's EC public keys: the JWKS published at
// /.well-known/jwks.json and read by relying parties. "kid" is the RFC 7638 thumbprint.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/types.h>

#include "veritee/common/error.hpp"
#include "veritee/rats/signing_key.hpp"

namespace veritee::rats {

struct VerificationKey {
  std::string kid;
  JwsAlg alg = JwsAlg::kES256;  // from "crv" (P-256: ES256, P-384: ES384)
  std::shared_ptr<EVP_PKEY> key;
};

// {"kty":"EC","crv":"P-256","x":..,"y":..,"kid":..,"alg":"ES256","use":"sig"}.
nlohmann::json public_jwk(const SigningKey& key);
// RFC 7638 section 3: base64url(SHA-256 of {"crv","kty","x","y"} in that order, no spaces).
std::string jwk_thumbprint(const SigningKey& key);

class Jwks {
 public:
  // {"keys":[...]}: EC keys on P-256/P-384 are taken; other keys are skipped; an EC key with a
  // bad point, or a document with no usable key, is an error.
  static Result<Jwks> parse(std::string_view json);
  static Jwks of(const SigningKey& key);
  // Every key of a rotation, in order (the signing key first); a key given twice appears once.
  static Jwks of(const std::vector<SigningKey>& keys);

  const std::vector<VerificationKey>& keys() const { return keys_; }
  nlohmann::json to_json() const { return json_; }

 private:
  std::vector<VerificationKey> keys_;
  nlohmann::json json_;
};

}  // namespace veritee::rats
