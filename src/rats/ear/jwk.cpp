// EC JSON Web Keys (RFC 7517 section 4, RFC 7518 section 6.2) and their RFC 7638 thumbprints.
#include "veritee/rats/jwk.hpp"

#include <openssl/core_names.h>

#include "veritee/common/digest.hpp"
#include "x509/openssl_util.hpp"
#include "veritee/rats/jws.hpp"

namespace veritee::rats {

using namespace ossl;

namespace {

std::size_t coordinate_size(JwsAlg alg) { return alg == JwsAlg::kES256 ? 32 : 48; }
const char* curve_name(JwsAlg alg) { return alg == JwsAlg::kES256 ? "P-256" : "P-384"; }

Bytes coordinate(EVP_PKEY* key, const char* param, std::size_t size) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, param, &raw) != 1) return {};
  BnPtr bn(raw);
  Bytes out(size);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(size)) != static_cast<int>(size)) return {};
  return out;
}

// The members RFC 7638 section 3.2 requires for an EC key, in lexicographic order.
nlohmann::json required_members(const SigningKey& key) {
  const std::size_t n = coordinate_size(key.alg());
  return nlohmann::json{
      {"crv", curve_name(key.alg())},
      {"kty", "EC"},
      {"x", to_base64url(coordinate(key.native(), OSSL_PKEY_PARAM_EC_PUB_X, n))},
      {"y", to_base64url(coordinate(key.native(), OSSL_PKEY_PARAM_EC_PUB_Y, n))},
  };
}

Result<std::shared_ptr<EVP_PKEY>> ec_public_key(JwsAlg alg, ByteView x, ByteView y) {
  const std::size_t n = coordinate_size(alg);
  if (x.size() != n || y.size() != n) {
    return fail(Errc::kInvalidInput, std::string(curve_name(alg)) + " coordinates must be " +
                                         std::to_string(n) + " bytes each");
  }
  Bytes point{0x04};  // uncompressed point, SEC 1 section 2.3.3
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve_name(alg), 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(Errc::kInvalidInput, error_with("the JWK's point is not on " + std::string(curve_name(alg))));
  }
  auto key = share(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return fail(Errc::kInvalidInput, error_with("the JWK's point is not a valid public key"));
  }
  return key;
}

std::string member(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

std::string jwk_thumbprint(const SigningKey& key) {
  // nlohmann::json keeps object members sorted and dump() writes no whitespace: exactly the
  // RFC 7638 section 3.3 serialization for these ASCII members.
  // SHA-256 fails only when OpenSSL cannot allocate; an empty kid then matches no key.
  auto digest = sha256(as_bytes(required_members(key).dump()));
  return digest ? to_base64url(*digest) : std::string();
}

nlohmann::json public_jwk(const SigningKey& key) {
  nlohmann::json jwk = required_members(key);
  jwk["kid"] = jwk_thumbprint(key);
  jwk["alg"] = std::string(to_string(key.alg()));
  jwk["use"] = "sig";
  return jwk;
}

Jwks Jwks::of(const SigningKey& key) { return of(std::vector<SigningKey>{key}); }

Jwks Jwks::of(const std::vector<SigningKey>& keys) {
  Jwks set;
  set.json_ = {{"keys", nlohmann::json::array()}};
  for (const SigningKey& key : keys) {
    nlohmann::json jwk = public_jwk(key);
    const std::string kid = jwk["kid"].get<std::string>();
    bool seen = false;
    for (const auto& k : set.keys_) seen = seen || k.kid == kid;
    if (seen) continue;  // the same key given twice is published once
    set.keys_.push_back({kid, key.alg(), share([&] {
                           EVP_PKEY_up_ref(key.native());
                           return key.native();
                         }())});
    set.json_["keys"].push_back(std::move(jwk));
  }
  return set;
}

Result<Jwks> Jwks::parse(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return fail(Errc::kInvalidInput, "not a JWK set: expected {\"keys\": [...]} (RFC 7517 section 5)");
  }
  Jwks set;
  set.json_ = doc;
  for (const auto& jwk : doc["keys"]) {
    if (!jwk.is_object() || member(jwk, "kty") != "EC") continue;  // RFC 7517 section 5: skip
    const std::string crv = member(jwk, "crv");
    JwsAlg alg;
    if (crv == "P-256") alg = JwsAlg::kES256;
    else if (crv == "P-384") alg = JwsAlg::kES384;
    else continue;
    if (jwk.contains("alg") && jwk["alg"] != std::string(to_string(alg))) {
      return fail(Errc::kInvalidInput, "JWK on " + crv + " says alg " + jwk["alg"].dump());
    }
    auto x = from_base64url_strict(member(jwk, "x"));
    auto y = from_base64url_strict(member(jwk, "y"));
    if (!x || !y) return fail(Errc::kInvalidInput, "EC JWK x/y: not base64url");
    auto key = ec_public_key(alg, *x, *y);
    if (!key) return std::unexpected(key.error());
    set.keys_.push_back({member(jwk, "kid"), alg, std::move(*key)});
  }
  if (set.keys_.empty()) return fail(Errc::kInvalidInput, "the JWK set has no P-256 or P-384 EC key");
  return set;
}

}  // namespace veritee::rats
