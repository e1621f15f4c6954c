// JWS/JWK: our tokens verify with two independent implementations (OpenSSL-only oracle,
// libjwt), and our verifier refuses what RFC 7515/7518/8725 say to refuse.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "rats/rats_fixture.hpp"
#include "support/process.hpp"
#include "veritee/rats/jws.hpp"

namespace veritee::test {
namespace {

using rats::JwsAlg;

std::string b64url(const std::string& s) { return to_base64url(as_bytes(s)); }

class Jose : public ::testing::TestWithParam<JwsAlg> {};

TEST_P(Jose, SignVerifyRoundTripAndIndependentChecks) {
  auto key = rats::SigningKey::generate(GetParam());
  ASSERT_TRUE(key);
  nlohmann::json claims{{"iss", "test"}, {"nested", {{"a", 1}, {"b", {1, 2, 3}}}}};
  auto token = rats::jws_sign(*key, claims);
  ASSERT_TRUE(token) << token.error().message;
  const auto jwks = rats::Jwks::of(*key);
  auto v = rats::jws_verify(*token, jwks);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->jws.payload, claims);
  EXPECT_EQ(v->jws.header["alg"], std::string(rats::to_string(GetParam())));
  EXPECT_EQ(v->jws.header["typ"], "JWT");
  EXPECT_EQ(v->jws.signature.size(), rats::signature_size(GetParam()));
  EXPECT_EQ(oracle_verify(*token, jwks.to_json().dump()), "");
  const std::string lj = libjwt_verify(*token, key->public_pem());
  if (lj.starts_with("skip")) GTEST_LOG_(INFO) << lj;
  else EXPECT_EQ(lj, "") << "libjwt must accept our " << rats::to_string(GetParam()) << " token";
  // A JWKS that went through text verifies too.
  auto reparsed = rats::Jwks::parse(jwks.to_json().dump());
  ASSERT_TRUE(reparsed) << reparsed.error().message;
  EXPECT_TRUE(rats::jws_verify(*token, *reparsed));
}

TEST_P(Jose, TamperingIsCaught) {
  auto key = rats::SigningKey::generate(GetParam());
  auto token = *rats::jws_sign(*key, {{"ear.status", "contraindicated"}});
  const auto jwks = rats::Jwks::of(*key);
  const auto d1 = token.find('.'), d2 = token.rfind('.');
  // A payload swapped for another: signature fails (kCrypto), and the oracle agrees.
  std::string forged = token.substr(0, d1 + 1) + b64url(R"({"ear.status":"affirming"})") + token.substr(d2);
  auto v = rats::jws_verify(forged, jwks);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kCrypto);
  EXPECT_NE(oracle_verify(forged, jwks.to_json().dump()), "");
  // A flipped signature bit.
  std::string sig = token;
  sig[d2 + 5] = sig[d2 + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(rats::jws_verify(sig, jwks));
  // Another key.
  auto other = rats::SigningKey::generate(GetParam());
  EXPECT_FALSE(rats::jws_verify(token, rats::Jwks::of(*other)));
}

INSTANTIATE_TEST_SUITE_P(Algs, Jose, ::testing::Values(JwsAlg::kES256, JwsAlg::kES384),
                         [](const auto& p) { return std::string(rats::to_string(p.param)); });

TEST(JoseRefusals, AlgorithmsOutsideTheAllowList) {
  auto key = rats::SigningKey::generate(JwsAlg::kES256);
  const auto jwks = rats::Jwks::of(*key);
  const std::string payload = b64url(R"({"a":1})");
  for (const char* alg : {"none", "HS256", "RS256", "ES512", "es256"}) {
    std::string t = b64url(std::string(R"({"alg":")") + alg + "\"}") + "." + payload + ".";
    auto v = rats::jws_verify(t, jwks);
    ASSERT_FALSE(v) << alg;
    EXPECT_EQ(v.error().code, Errc::kInvalidInput) << alg;
  }
  // The right alg but the key's curve is another (ES384 header, P-256 key).
  auto token = *rats::jws_sign(*key, {{"a", 1}});
  std::string swapped = b64url(R"({"alg":"ES384","typ":"JWT"})") + token.substr(token.find('.'));
  EXPECT_FALSE(rats::jws_verify(swapped, jwks));
}

TEST(JoseRefusals, CritKidAndEncoding) {
  auto key = rats::SigningKey::generate(JwsAlg::kES256);
  const auto jwks = rats::Jwks::of(*key);
  auto token = *rats::jws_sign(*key, {{"a", 1}});
  const auto d1 = token.find('.');
  std::string crit = b64url(R"({"alg":"ES256","crit":["exp"]})") + token.substr(d1);
  EXPECT_FALSE(rats::jws_verify(crit, jwks));
  std::string kid = b64url(R"({"alg":"ES256","kid":"someone-else"})") + token.substr(d1);
  auto v = rats::jws_verify(kid, jwks);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("someone-else"), std::string::npos);
  EXPECT_FALSE(rats::jws_verify(token + "=", jwks)) << "padding is not base64url";
  EXPECT_FALSE(rats::jws_verify(" " + token, jwks));
  EXPECT_FALSE(rats::jws_verify(token + ".x", jwks)) << "four parts";
  EXPECT_FALSE(rats::jws_verify("abc", jwks));
  EXPECT_FALSE(rats::from_base64url_strict("AB+/"));
  EXPECT_FALSE(rats::from_base64url_strict("QR")) << "non-canonical trailing bits";
  EXPECT_TRUE(rats::from_base64url_strict("QQ"));
}

TEST(JoseKeys, JwksRejectsBadKeys) {
  EXPECT_FALSE(rats::Jwks::parse("[]"));
  EXPECT_FALSE(rats::Jwks::parse(R"({"keys":[]})"));
  EXPECT_FALSE(rats::Jwks::parse(R"({"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]})")) << "no EC key";
  auto key = rats::SigningKey::generate(JwsAlg::kES256);
  auto jwk = rats::public_jwk(*key);
  auto bad = jwk;
  std::string y = bad["y"];
  y[5] = y[5] == 'A' ? 'B' : 'A';
  bad["y"] = y;
  auto r = rats::Jwks::parse(nlohmann::json{{"keys", {bad}}}.dump());
  EXPECT_FALSE(r) << "a point off the curve";
  // Members of the wrong JSON type are refused or skipped, never thrown.
  EXPECT_FALSE(rats::Jwks::parse(R"({"keys":[{"kty":5},{"kty":"EC","crv":[1],"x":2}]})"));
  auto typed = jwk;
  typed["x"] = 7;
  EXPECT_FALSE(rats::Jwks::parse(nlohmann::json{{"keys", {typed}}}.dump()));
  auto wrong_alg = jwk;
  wrong_alg["alg"] = "ES384";
  EXPECT_FALSE(rats::Jwks::parse(nlohmann::json{{"keys", {wrong_alg}}}.dump()));
}

// RFC 7638 section 3: SHA-256 over {"crv","kty","x","y"} written here by hand.
TEST(JoseKeys, ThumbprintIsRfc7638) {
  auto key = rats::SigningKey::generate(JwsAlg::kES384);
  auto jwk = rats::public_jwk(*key);
  const std::string canon = R"({"crv":"P-384","kty":"EC","x":")" + jwk["x"].get<std::string>() +
                            R"(","y":")" + jwk["y"].get<std::string>() + "\"}";
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(canon.data(), canon.size(), digest, &len, EVP_sha256(), nullptr);
  EXPECT_EQ(jwk["kid"], to_base64url(ByteView(digest, 32)));
  EXPECT_EQ(rats::from_base64url_strict(jwk["x"].get<std::string>())->size(), 48u);
}

TEST(JoseKeys, StateDirKeyIsCreatedOnceWith0600) {
  TempDir dir;
  auto state = dir.path() / "state";
  auto a = rats::SigningKey::load_or_create(state, JwsAlg::kES384);
  ASSERT_TRUE(a) << a.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((state / "signing-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto b = rats::SigningKey::load_or_create(state, JwsAlg::kES256);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->alg(), JwsAlg::kES384) << "the stored key wins over the requested algorithm";
  EXPECT_EQ(rats::jwk_thumbprint(*a), rats::jwk_thumbprint(*b));
  ::chmod((state / "signing-key.pem").c_str(), 0644);
  auto c = rats::SigningKey::load_or_create(state, JwsAlg::kES384);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("chmod 600"), std::string::npos);
}

TEST(JoseKeys, PemKeysByCurve) {
  auto p384 = rats::SigningKey::generate(JwsAlg::kES384);
  auto back = rats::SigningKey::from_pem(p384->private_pem());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->alg(), JwsAlg::kES384);
  EVP_PKEY* k521 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
  ASSERT_NE(k521, nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, k521, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  auto refused = rats::SigningKey::from_pem(std::string(data, static_cast<std::size_t>(n)));
  BIO_free(bio);
  EVP_PKEY_free(k521);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("secp521r1"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(rats::SigningKey::from_pem("not pem"));
}

}  // namespace
}  // namespace veritee::test
