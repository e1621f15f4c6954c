// The verifier's result-signing key: an EC key on P-256 (JWS "ES256") or P-384 ("ES384"),
// RFC 7518 section 3.4. Loaded from PEM (--key FILE) or generated once and kept in the service's
// state directory (0600, written atomically).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::rats {

enum class JwsAlg { kES256, kES384 };
std::string_view to_string(JwsAlg alg);  // "ES256", "ES384"
// Only ES256 and ES384: "none", HMAC and RSA algorithms are refused (RFC 8725 section 3.1).
Result<JwsAlg> parse_jws_alg(std::string_view name);
std::size_t signature_size(JwsAlg alg);  // 64 or 96 bytes: R || S (RFC 7518 section 3.4)

class SigningKey {
 public:
  static Result<SigningKey> generate(JwsAlg alg);
  // A PEM private key (PKCS#8 or SEC1) on P-256 or P-384; the curve decides the algorithm.
  static Result<SigningKey> from_pem(std::string_view pem);
  static Result<SigningKey> load_file(const std::filesystem::path& path);
  // DIR/signing-key.pem: loaded when present, else generated with `alg` and written 0600
  // (temporary file, fsync, rename). The directory is created 0700 when missing.
  static Result<SigningKey> load_or_create(const std::filesystem::path& state_dir, JwsAlg alg);

  JwsAlg alg() const { return alg_; }
  EVP_PKEY* native() const { return key_.get(); }
  std::string private_pem() const;
  std::string public_pem() const;

  // JWS signature over `signing_input`: R || S, each left-padded to the curve size
  // (RFC 7518 section 3.4), not OpenSSL's DER.
  Result<Bytes> sign(ByteView signing_input) const;

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> key, JwsAlg alg) : key_(std::move(key)), alg_(alg) {}
  std::shared_ptr<EVP_PKEY> key_;
  JwsAlg alg_;
};

}  // namespace veritee::rats
