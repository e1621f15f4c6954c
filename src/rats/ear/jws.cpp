// JWS Compact Serialization: RFC 7515 sections 5.1 (create) and 5.2 (validate), ECDSA per
// RFC 7518 section 3.4, algorithm allow-list per RFC 8725 section 3.1.
#include "veritee/rats/jws.hpp"

#include <algorithm>

#include "veritee/x509/ecdsa.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::rats {

using namespace ossl;

Result<Bytes> from_base64url_strict(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return fail(Errc::kInvalidInput, "not base64url (RFC 7515 section 2)");
  }
  if (text.size() % 4 == 1) return fail(Errc::kInvalidInput, "not base64url: impossible length");
  auto bytes = from_base64(text);
  if (!bytes) return bytes;
  // Only the canonical encoding: unused bits of the last character must be zero.
  if (to_base64url(*bytes) != text) return fail(Errc::kInvalidInput, "not canonical base64url");
  return bytes;
}

namespace {

// The encoded protected header ("base64url(header).") of the last key this thread signed with:
// the same for every token of one key, and the kid (an RFC 7638 thumbprint) reads the key's
// coordinates through the provider. Holds a reference so the address stays this key's.
struct EncodedHeader {
  PkeyPtr key;
  std::string text;

  const std::string& for_key(const SigningKey& signer) {
    if (key.get() == signer.native() && !text.empty()) return text;
    const nlohmann::json header{{"alg", std::string(to_string(signer.alg()))},
                                {"kid", jwk_thumbprint(signer)},
                                {"typ", "JWT"}};
    text = to_base64url(as_bytes(header.dump())) + ".";
    key.reset();
    if (EVP_PKEY_up_ref(signer.native()) == 1) key.reset(signer.native());
    return text;
  }
};

}  // namespace

Result<std::string> jws_sign(const SigningKey& key, const nlohmann::json& payload) {
  thread_local EncodedHeader header;
  const std::string input = header.for_key(key) + to_base64url(as_bytes(payload.dump()));
  auto signature = key.sign(as_bytes(input));
  if (!signature) return std::unexpected(signature.error());
  return input + "." + to_base64url(*signature);
}

Result<DecodedJws> jws_decode(std::string_view token) {
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail(Errc::kInvalidInput, "not a JWS compact serialization: expected three "
                                     "base64url parts separated by '.'");
  }
  auto part = [&](std::size_t from, std::size_t to, const char* what) -> Result<Bytes> {
    auto b = from_base64url_strict(token.substr(from, to - from));
    if (!b) return fail(Errc::kInvalidInput, std::string(what) + ": " + b.error().message);
    return b;
  };
  auto header = part(0, first, "JWS header");
  auto payload = part(first + 1, second, "JWS payload");
  auto signature = part(second + 1, token.size(), "JWS signature");
  if (!header) return std::unexpected(header.error());
  if (!payload) return std::unexpected(payload.error());
  if (!signature) return std::unexpected(signature.error());
  DecodedJws out;
  out.header = nlohmann::json::parse(header->begin(), header->end(), nullptr, false);
  out.payload = nlohmann::json::parse(payload->begin(), payload->end(), nullptr, false);
  if (out.header.is_discarded() || !out.header.is_object()) {
    return fail(Errc::kInvalidInput, "JWS header is not a JSON object");
  }
  if (out.payload.is_discarded() || !out.payload.is_object()) {
    return fail(Errc::kInvalidInput, "JWS payload is not a JSON object (a JWT claims set)");
  }
  out.signing_input = std::string(token.substr(0, second));
  out.signature = std::move(*signature);
  return out;
}

namespace {

bool verifies(const VerificationKey& key, const DecodedJws& jws) {
  if (jws.signature.size() != signature_size(key.alg)) return false;
  auto der = x509::ecdsa_raw_to_der(jws.signature);
  if (!der) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = key.alg == JwsAlg::kES256 ? EVP_sha256() : EVP_sha384();
  const bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.key.get()) == 1 &&
                  EVP_DigestVerify(ctx.get(), der->data(), der->size(),
                                   reinterpret_cast<const unsigned char*>(jws.signing_input.data()),
                                   jws.signing_input.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

Result<VerifiedJws> jws_verify(std::string_view token, const Jwks& keys) {
  auto jws = jws_decode(token);
  if (!jws) return std::unexpected(jws.error());
  const auto& header = jws->header;
  if (!header.contains("alg") || !header["alg"].is_string()) {
    return fail(Errc::kInvalidInput, "JWS header has no \"alg\"");
  }
  auto alg = parse_jws_alg(header["alg"].get<std::string>());
  if (!alg) return std::unexpected(alg.error());
  if (header.contains("crit")) {
    return fail(Errc::kInvalidInput, "JWS header has \"crit\" extensions this verifier does not "
                                     "understand (RFC 7515 section 4.1.11)");
  }
  std::optional<std::string> kid;
  if (header.contains("kid")) {
    if (!header["kid"].is_string()) return fail(Errc::kInvalidInput, "JWS \"kid\" is not a string");
    kid = header["kid"].get<std::string>();
  }
  std::size_t tried = 0;
  for (const auto& key : keys.keys()) {
    if (key.alg != *alg || (kid && !key.kid.empty() && key.kid != *kid)) continue;
    ++tried;
    if (verifies(key, *jws)) return VerifiedJws{std::move(*jws), key.kid, *alg};
  }
  if (tried == 0) {
    return fail(Errc::kCrypto, "no " + std::string(to_string(*alg)) + " key" +
                                   (kid ? " with kid " + *kid : std::string()) + " in the JWK set");
  }
  return fail(Errc::kCrypto, std::string(to_string(*alg)) + " signature does not verify with " +
                                 (kid ? "key " + *kid : std::to_string(tried) + " candidate key(s)"));
}

}  // namespace veritee::rats
