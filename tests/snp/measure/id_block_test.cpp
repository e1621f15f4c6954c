// ID_BLOCK / ID_AUTH_INFO round trip with fresh test keys (the corpus has no report whose ID
// key is known): what is written parses back, the signatures verify with OpenSSL directly, and
// ID_KEY_DIGEST / AUTHOR_KEY_DIGEST equal SHA-384 of the ABI key built independently here.
#include <gtest/gtest.h>

#include <memory>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "support/process.hpp"
#include "veritee/snp/measure/id_block.hpp"

namespace veritee {
namespace {

namespace m = snp::measure;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey ec_key(const char* curve) { return Pkey(EVP_EC_gen(curve)); }

std::string private_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// The ABI public key built here, independently of the library: the SEC 1 point, reversed.
Bytes abi_key_here(EVP_PKEY* key) {
  unsigned char point[97];
  std::size_t len = 0;
  EXPECT_EQ(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                            &len),
            1);
  EXPECT_EQ(len, 97U);
  Bytes out(0x404, 0);
  out[0] = 2;  // P-384
  for (std::size_t i = 0; i < 48; ++i) {
    out[4 + i] = point[48 - i];         // QX little-endian
    out[4 + 72 + i] = point[96 - i];    // QY little-endian
  }
  return out;
}

Bytes sha384_here(ByteView data) {
  Bytes out(48);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha384(), nullptr);
  return out;
}

// OpenSSL's own verification of an ABI signature (R, S little-endian, 72 bytes each).
bool verifies(EVP_PKEY* key, ByteView message, ByteView abi_sig) {
  BIGNUM* r = BN_lebin2bn(abi_sig.data(), 72, nullptr);
  BIGNUM* s = BN_lebin2bn(abi_sig.data() + 72, 72, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha384(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_len), message.data(),
                             message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return ok;
}

m::IdBlock sample_block() {
  m::IdBlock b;
  for (std::size_t i = 0; i < b.launch_digest.size(); ++i) b.launch_digest[i] = static_cast<std::uint8_t>(i);
  b.family_id[0] = 0xF1;
  b.image_id[15] = 0x1D;
  b.guest_svn = 7;
  b.policy = 0x30000;
  return b;
}

TEST(IdBlock, RoundTripWithAuthorKey) {
  Pkey id = ec_key("P-384"), author = ec_key("P-384");
  const std::string id_pem = private_pem(id.get()), author_pem = private_pem(author.get());
  auto out = m::make_identity(sample_block(), as_bytes(id_pem), as_bytes(author_pem));
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->id_block.size(), 0x60U);
  ASSERT_EQ(out->id_auth.size(), 0x1000U);

  auto block = m::IdBlock::parse(out->id_block);
  ASSERT_TRUE(block) << block.error().message;
  EXPECT_EQ(block->launch_digest, sample_block().launch_digest);
  EXPECT_EQ(block->family_id, sample_block().family_id);
  EXPECT_EQ(block->image_id, sample_block().image_id);
  EXPECT_EQ(block->guest_svn, 7U);
  EXPECT_EQ(block->policy, 0x30000U);
  EXPECT_EQ(block->version, 1U);
  auto auth = m::IdAuthInfo::parse(out->id_auth);
  ASSERT_TRUE(auth) << auth.error().message;
  EXPECT_EQ(auth->id_key_algo, 1U);
  EXPECT_EQ(auth->auth_key_algo, 1U);

  // Signatures, checked by OpenSSL with the generating keys, and by the library.
  EXPECT_TRUE(verifies(id.get(), out->id_block, auth->id_block_sig));
  EXPECT_TRUE(verifies(author.get(), auth->id_key, auth->id_key_sig));
  EXPECT_FALSE(verifies(author.get(), out->id_block, auth->id_block_sig));
  EXPECT_TRUE(m::verify_abi_signature(auth->id_key, out->id_block, auth->id_block_sig));
  EXPECT_TRUE(m::verify_abi_signature(auth->author_key, auth->id_key, auth->id_key_sig));
  Bytes tampered = out->id_block;
  tampered[0x58] ^= 1;
  EXPECT_FALSE(m::verify_abi_signature(auth->id_key, tampered, auth->id_block_sig));

  // The digests, two ways: the library's, and SHA-384 of the ABI key built here.
  EXPECT_EQ(auth->id_key, abi_key_here(id.get()));
  EXPECT_EQ(auth->author_key, abi_key_here(author.get()));
  EXPECT_EQ(Bytes(out->id_key_digest.begin(), out->id_key_digest.end()),
            sha384_here(abi_key_here(id.get())));
  ASSERT_TRUE(out->author_key_digest);
  EXPECT_EQ(Bytes(out->author_key_digest->begin(), out->author_key_digest->end()),
            sha384_here(abi_key_here(author.get())));
  EXPECT_EQ(m::abi_public_key(as_bytes(id_pem)).value(), abi_key_here(id.get()));
}

TEST(IdBlock, WithoutAuthorKey) {
  Pkey id = ec_key("P-384");
  auto out = m::make_identity(sample_block(), as_bytes(private_pem(id.get())), std::nullopt);
  ASSERT_TRUE(out) << out.error().message;
  auto auth = m::IdAuthInfo::parse(out->id_auth).value();
  EXPECT_EQ(auth.auth_key_algo, 0U);
  EXPECT_TRUE(all_zero(auth.author_key));
  EXPECT_TRUE(all_zero(auth.id_key_sig));
  EXPECT_FALSE(out->author_key_digest);
  EXPECT_TRUE(verifies(id.get(), out->id_block, auth.id_block_sig));
}

TEST(IdBlock, Refusals) {
  Pkey id = ec_key("P-384"), p256 = ec_key("P-256");
  const std::string id_pem = private_pem(id.get());
  auto bad_policy = sample_block();
  bad_policy.policy = 0x10000;  // bit 17 clear
  EXPECT_TRUE(m::make_identity(bad_policy, as_bytes(id_pem), std::nullopt).error().message.find(
                  "bit 17") != std::string::npos);
  bad_policy.policy = 0x30000 | (std::uint64_t{1} << 40);
  EXPECT_FALSE(m::make_identity(bad_policy, as_bytes(id_pem), std::nullopt));
  auto wrong_curve = m::make_identity(sample_block(), as_bytes(private_pem(p256.get())), std::nullopt);
  ASSERT_FALSE(wrong_curve);
  EXPECT_NE(wrong_curve.error().message.find("not an EC P-384 key"), std::string::npos)
      << wrong_curve.error().message;
  EXPECT_FALSE(m::make_identity(sample_block(), as_bytes("not a key"), std::nullopt));
  EXPECT_FALSE(m::make_identity(sample_block(), as_bytes(id_pem), as_bytes(id_pem)));  // same key

  auto out = m::make_identity(sample_block(), as_bytes(id_pem), std::nullopt).value();
  Bytes auth = out.id_auth;
  auth[0x10] = 1;  // reserved
  EXPECT_FALSE(m::IdAuthInfo::parse(auth));
  auth = out.id_auth;
  auth[0] = 2;  // unknown algorithm
  EXPECT_FALSE(m::IdAuthInfo::parse(auth));
  Bytes block = out.id_block;
  block[0x50] = 2;  // version
  EXPECT_EQ(m::IdBlock::parse(block).error().code, Errc::kUnknownVersion);
  EXPECT_FALSE(m::IdBlock::parse(ByteView(block).first(0x5F)));
}

TEST(IdBlockCli, WritesBase64AndPrintsDigests) {
  test::TempDir dir;
  Pkey id = ec_key("P-384"), author = ec_key("P-384");
  auto id_file = dir.write("id.pem", private_pem(id.get()));
  auto author_file = dir.write("author.pem", private_pem(author.get()));
  const std::string ld(96, 'a');
  auto r = test::run_cli({"id-block", "--id-key", id_file.string(), "--author-key",
                          author_file.string(), "--measurement", ld, "--policy", "0x30000",
                          "--family-id", std::string(32, '1'), "--guest-svn", "3", "--out-dir",
                          (dir / "out").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto text = [](const std::filesystem::path& p) {
    Bytes b = test::slurp(p);
    return std::string(b.begin(), b.end());
  };
  auto block = from_base64(text(dir / "out" / "id_block.b64")).value();
  auto auth_bytes = from_base64(text(dir / "out" / "id_auth.b64")).value();
  auto parsed = m::IdBlock::parse(block).value();
  EXPECT_EQ(to_hex(parsed.launch_digest), ld);
  EXPECT_EQ(parsed.guest_svn, 3U);
  EXPECT_EQ(to_hex(parsed.family_id), std::string(32, '1'));
  auto auth = m::IdAuthInfo::parse(auth_bytes).value();
  EXPECT_TRUE(verifies(id.get(), block, auth.id_block_sig));
  EXPECT_TRUE(verifies(author.get(), auth.id_key, auth.id_key_sig));
  EXPECT_NE(r.out.find("id_key_digests = [\"" + to_hex(sha384_here(abi_key_here(id.get()))) + "\"]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("author_key_digests = [\"" +
                       to_hex(sha384_here(abi_key_here(author.get()))) + "\"]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("author-key-enabled=on"), std::string::npos) << r.out;

  auto bad = test::run_cli({"id-block", "--id-key", id_file.string(), "--measurement", "abcd",
                            "--policy", "0x30000", "--out-dir", (dir / "out2").string()});
  EXPECT_EQ(bad.exit_code, 2);
  bad = test::run_cli({"id-block", "--id-key", id_file.string(), "--measurement", ld, "--policy",
                       "0x0", "--out-dir", (dir / "out2").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "out2" / "id_block.b64"));
}

}  // namespace
}  // namespace veritee
