// Independent checks of the service's JWS: OpenSSL alone (own base64url, own JWK import, own
// R||S -> DER), and libjwt. Nothing here calls src/rats.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rats/rats_fixture.hpp"

#ifdef VERITEE_HAVE_LIBJWT
#include <jwt.h>
#endif

namespace veritee::test {
namespace {

// RFC 4648 section 5, no padding: translate to the standard alphabet, pad, EVP_DecodeBlock.
std::optional<std::vector<unsigned char>> b64url(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
  }
  const std::size_t data = s.size();
  while (s.size() % 4) s.push_back('=');
  std::vector<unsigned char> out(s.size() / 4 * 3);
  if (EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size())) < 0) {
    return std::nullopt;
  }
  out.resize(data * 3 / 4);
  return out;
}

using OraclePkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

OraclePkey jwk_key(const nlohmann::json& jwk, std::string& why) {
  OraclePkey none(nullptr, EVP_PKEY_free);
  const std::string crv = jwk.value("crv", "");
  const char* group = crv == "P-256" ? "prime256v1" : crv == "P-384" ? "secp384r1" : nullptr;
  if (!group) return why = "unsupported crv " + crv, std::move(none);
  auto x = b64url(jwk.value("x", ""));
  auto y = b64url(jwk.value("y", ""));
  if (!x || !y) return why = "bad x/y", std::move(none);
  std::vector<unsigned char> point{0x04};
  point.insert(point.end(), x->begin(), x->end());
  point.insert(point.end(), y->begin(), y->end());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    why = "EVP_PKEY_fromdata failed";
  }
  EVP_PKEY_CTX_free(ctx);
  return OraclePkey(key, EVP_PKEY_free);
}

}  // namespace

std::string oracle_verify(const std::string& token, const std::string& jwks_json) {
  const auto d1 = token.find('.');
  const auto d2 = token.rfind('.');
  if (d1 == std::string::npos || d1 == d2) return "not three parts";
  auto header_bytes = b64url(token.substr(0, d1));
  auto sig = b64url(token.substr(d2 + 1));
  if (!header_bytes || !sig) return "bad base64url";
  auto header = nlohmann::json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
  if (!header.is_object()) return "header not JSON";
  const std::string alg = header.value("alg", "");
  const EVP_MD* md = alg == "ES256" ? EVP_sha256() : alg == "ES384" ? EVP_sha384() : nullptr;
  if (!md) return "alg " + alg;
  const std::size_t half = alg == "ES256" ? 32 : 48;
  if (sig->size() != 2 * half) return "signature is " + std::to_string(sig->size()) + " bytes";
  auto jwks = nlohmann::json::parse(jwks_json, nullptr, false);
  if (!jwks.is_object() || !jwks.contains("keys")) return "JWKS not JSON";
  for (const auto& jwk : jwks["keys"]) {
    if (header.contains("kid") && jwk.value("kid", "") != header["kid"].get<std::string>()) continue;
    std::string why;
    OraclePkey key = jwk_key(jwk, why);
    if (!key) return why;
    ECDSA_SIG* es = ECDSA_SIG_new();
    ECDSA_SIG_set0(es, BN_bin2bn(sig->data(), static_cast<int>(half), nullptr),
                   BN_bin2bn(sig->data() + half, static_cast<int>(half), nullptr));
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(es, &der);
    ECDSA_SIG_free(es);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len),
                                     reinterpret_cast<const unsigned char*>(token.data()), d2) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok ? "" : "signature does not verify";
  }
  return "no key with the token's kid";
}

std::string libjwt_verify(const std::string& token, const std::string& public_pem) {
#ifdef VERITEE_HAVE_LIBJWT
  jwt_t* jwt = nullptr;
  int rc = jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>(public_pem.data()),
                      static_cast<int>(public_pem.size()));
  std::string out;
  if (rc != 0) {
    out = "jwt_decode: error " + std::to_string(rc);
  } else if (jwt_get_alg(jwt) != JWT_ALG_ES256 && jwt_get_alg(jwt) != JWT_ALG_ES384) {
    out = "libjwt decoded with an unexpected alg";  // issue benmcollins/libjwt#43: check it
  }
  jwt_free(jwt);
  return out;
#else
  (void)token;
  (void)public_pem;
  return "skip: built without libjwt";
#endif
}

}  // namespace veritee::test
