#include "veritee/snp/measure/id_block.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "veritee/common/byte_writer.hpp"
#include "veritee/common/byte_reader.hpp"
#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/measure/ovmf.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::snp::measure {
namespace {

using ossl::BnPtr;
using ossl::Deleter;
using ossl::EcdsaSigPtr;
using ossl::ParamBldPtr;
using ossl::ParamPtr;

// ECDSA public key and signature formats (ABI tables "ECDSA Public Key Format", "ECDSA
// Signature Format"): little-endian integers in 72-byte fields.
constexpr std::uint32_t kCurveP384 = 2;
constexpr std::size_t kField = 72;
constexpr std::size_t kP384Bytes = 48;

// ID_AUTH_INFO field offsets.
constexpr std::size_t kIdBlockSigAt = 0x040, kIdKeyAt = 0x240, kIdKeySigAt = 0x680,
                      kAuthorKeyAt = 0x880;

Result<void> crypto_fail(const std::string& what) {
  return fail(Errc::kCrypto, what + ": " + ossl::last_error());
}

int no_passphrase(char*, int, int, void*) { return -1; }  // never prompt on a terminal

Result<ossl::PkeyPtr> check_p384(ossl::PkeyPtr key, const char* role) {
  char group[64] = {};
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     nullptr) != 1 ||
      std::string_view(group) != "secp384r1") {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, std::string(role) + " is not an EC P-384 key (" +
                                         EVP_PKEY_get0_type_name(key.get()) +
                                         (group[0] ? std::string(", ") + group : "") + ")");
  }
  return key;
}

Result<ossl::PkeyPtr> load_private(ByteView pem, const char* role) {
  auto bio = ossl::mem_bio(pem.data(), pem.size());
  ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    return fail(Errc::kInvalidInput, std::string(role) +
                                         " is not a PEM private key without a passphrase (" +
                                         ossl::last_error() + ")");
  }
  return check_p384(std::move(key), role);
}

Result<ossl::PkeyPtr> load_any(ByteView pem) {
  auto bio = ossl::mem_bio(pem.data(), pem.size());
  ossl::PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ERR_clear_error();
    auto pub = ossl::mem_bio(pem.data(), pem.size());
    key.reset(PEM_read_bio_PUBKEY(pub.get(), nullptr, no_passphrase, nullptr));
  }
  if (!key) {
    return fail(Errc::kInvalidInput,
                "not a PEM private or public key (" + ossl::last_error() + ")");
  }
  return check_p384(std::move(key), "the key");
}

Result<Bytes> abi_key_of(EVP_PKEY* key) {
  BIGNUM* x = nullptr;
  BIGNUM* y = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
    BN_free(x);
    BN_free(y);
    return std::unexpected(crypto_fail("cannot read the EC public point").error());
  }
  BnPtr bx(x), by(y);
  Bytes out(IdAuthInfo::kPublicKeySize, 0);
  put_le(out, 0, kCurveP384);
  if (BN_bn2lebinpad(bx.get(), out.data() + 4, kField) != static_cast<int>(kField) ||
      BN_bn2lebinpad(by.get(), out.data() + 4 + kField, kField) != static_cast<int>(kField)) {
    return std::unexpected(crypto_fail("cannot encode the EC public point").error());
  }
  return out;
}

// ECDSA P-384 / SHA-384 signature of `message`, in the ABI format.
Result<Bytes> sign(EVP_PKEY* key, ByteView message) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, message.data(), message.size()) != 1) {
    return std::unexpected(crypto_fail("cannot set up ECDSA signing").error());
  }
  Bytes der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, message.data(), message.size()) != 1) {
    return std::unexpected(crypto_fail("ECDSA signing failed").error());
  }
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return std::unexpected(crypto_fail("cannot decode the ECDSA signature").error());
  Bytes out(IdAuthInfo::kSignatureSize, 0);
  if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig.get()), out.data(), kField) != static_cast<int>(kField) ||
      BN_bn2lebinpad(ECDSA_SIG_get0_s(sig.get()), out.data() + kField, kField) !=
          static_cast<int>(kField)) {
    return std::unexpected(crypto_fail("cannot encode the ECDSA signature").error());
  }
  return out;
}

Result<ossl::PkeyPtr> key_from_abi(ByteView abi_key) {
  ByteReader r(abi_key);
  if (abi_key.size() != IdAuthInfo::kPublicKeySize) {
    return fail(Errc::kInvalidInput, "an ABI public key is " +
                                         std::to_string(IdAuthInfo::kPublicKeySize) +
                                         " bytes, not " + std::to_string(abi_key.size()));
  }
  const std::uint32_t curve = *r.u32();
  if (curve != kCurveP384) {
    return fail(Errc::kInvalidInput,
                "ABI public key curve " + std::to_string(curve) + " is not 2 (P-384)");
  }
  auto qx = *r.bytes(kField);
  auto qy = *r.bytes(kField);
  if (!all_zero(*r.bytes(r.remaining())) || !all_zero(qx.subspan(kP384Bytes)) ||
      !all_zero(qy.subspan(kP384Bytes))) {
    return fail(Errc::kInvalidInput, "ABI public key has non-zero reserved bytes");
  }
  Bytes point(1 + 2 * kP384Bytes);  // SEC 1 uncompressed: 04 || X || Y, big-endian
  point[0] = 0x04;
  std::reverse_copy(qx.begin(), qx.begin() + kP384Bytes, point.begin() + 1);
  std::reverse_copy(qy.begin(), qy.begin() + kP384Bytes, point.begin() + 1 + kP384Bytes);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return std::unexpected(crypto_fail("cannot build key parameters").error());
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return fail(Errc::kInvalidInput,
                "ABI public key is not a point on P-384 (" + ossl::last_error() + ")");
  }
  return ossl::PkeyPtr(key);
}

}  // namespace

Bytes IdBlock::serialize() const {
  Bytes out(kSize, 0);
  std::copy(launch_digest.begin(), launch_digest.end(), out.begin());
  std::copy(family_id.begin(), family_id.end(), out.begin() + 0x30);
  std::copy(image_id.begin(), image_id.end(), out.begin() + 0x40);
  put_le(out, 0x50, version);
  put_le(out, 0x54, guest_svn);
  put_le(out, 0x58, policy);
  return out;
}

Result<IdBlock> IdBlock::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return fail(Errc::kInvalidInput, "an ID_BLOCK is " + std::to_string(kSize) + " bytes, not " +
                                         std::to_string(bytes.size()));
  }
  ByteReader r(bytes);
  IdBlock b;
  auto ld = *r.bytes(kDigestSize);
  auto family = *r.bytes(16);
  auto image = *r.bytes(16);
  std::copy(ld.begin(), ld.end(), b.launch_digest.begin());
  std::copy(family.begin(), family.end(), b.family_id.begin());
  std::copy(image.begin(), image.end(), b.image_id.begin());
  b.version = *r.u32();
  b.guest_svn = *r.u32();
  b.policy = *r.u64();
  if (b.version != kVersion) {
    return fail(Errc::kUnknownVersion,
                "ID_BLOCK version " + std::to_string(b.version) + " is not known (only 1 is)");
  }
  return b;
}

Bytes IdAuthInfo::serialize() const {
  Bytes out(kSize, 0);
  put_le(out, 0, id_key_algo);
  put_le(out, 4, auth_key_algo);
  std::copy(id_block_sig.begin(), id_block_sig.end(), out.begin() + kIdBlockSigAt);
  std::copy(id_key.begin(), id_key.end(), out.begin() + kIdKeyAt);
  std::copy(id_key_sig.begin(), id_key_sig.end(), out.begin() + kIdKeySigAt);
  std::copy(author_key.begin(), author_key.end(), out.begin() + kAuthorKeyAt);
  return out;
}

Result<IdAuthInfo> IdAuthInfo::parse(ByteView bytes) {
  if (bytes.size() != kSize) {
    return fail(Errc::kInvalidInput, "an ID_AUTH_INFO is " + std::to_string(kSize) +
                                         " bytes, not " + std::to_string(bytes.size()));
  }
  const ByteReader r(bytes);
  IdAuthInfo a;
  a.id_key_algo = *r.le_at<std::uint32_t>(0);
  a.auth_key_algo = *r.le_at<std::uint32_t>(4);
  auto take = [&](std::size_t at, std::size_t n) {
    auto v = *r.bytes_at(at, n);
    return Bytes(v.begin(), v.end());
  };
  a.id_block_sig = take(kIdBlockSigAt, kSignatureSize);
  a.id_key = take(kIdKeyAt, kPublicKeySize);
  a.id_key_sig = take(kIdKeySigAt, kSignatureSize);
  a.author_key = take(kAuthorKeyAt, kPublicKeySize);
  if (a.id_key_algo != kAlgoEcdsaP384Sha384) {
    return fail(Errc::kInvalidInput, "ID_KEY_ALGO " + std::to_string(a.id_key_algo) +
                                         " is not 1 (ECDSA P-384 with SHA-384)");
  }
  if (a.auth_key_algo != 0 && a.auth_key_algo != kAlgoEcdsaP384Sha384) {
    return fail(Errc::kInvalidInput, "AUTH_KEY_ALGO " + std::to_string(a.auth_key_algo) +
                                         " is neither 0 (no author key) nor 1 (ECDSA P-384)");
  }
  const std::pair<std::size_t, std::size_t> reserved[] = {
      {0x008, kIdBlockSigAt - 0x008},
      {kIdKeyAt + kPublicKeySize, kIdKeySigAt - kIdKeyAt - kPublicKeySize},
      {kAuthorKeyAt + kPublicKeySize, kSize - kAuthorKeyAt - kPublicKeySize}};
  for (const auto& [at, n] : reserved) {
    if (!all_zero(*r.bytes_at(at, n))) {
      return fail(Errc::kInvalidInput, "ID_AUTH_INFO has non-zero reserved bytes at offset " +
                                           std::to_string(at));
    }
  }
  if (a.auth_key_algo == 0 && (!all_zero(a.id_key_sig) || !all_zero(a.author_key))) {
    return fail(Errc::kInvalidInput,
                "ID_AUTH_INFO has no author key algorithm but a non-zero ID_KEY_SIG or "
                "AUTHOR_KEY");
  }
  return a;
}

Result<Bytes> abi_public_key(ByteView pem) {
  auto key = load_any(pem);
  if (!key) return std::unexpected(key.error());
  return abi_key_of(key->get());
}

Result<Digest> key_digest(ByteView abi_key) {
  if (abi_key.size() != IdAuthInfo::kPublicKeySize) {
    return fail(Errc::kInvalidInput, "an ABI public key is " +
                                         std::to_string(IdAuthInfo::kPublicKeySize) +
                                         " bytes, not " + std::to_string(abi_key.size()));
  }
  return sha384(abi_key);
}

Result<IdentityOutput> make_identity(const IdBlock& block, ByteView id_key_pem,
                                     std::optional<ByteView> author_key_pem) {
  const GuestPolicy policy(block.policy);
  if (!policy.reserved_one_set() || policy.mbz_bits() != 0) {
    return fail(Errc::kInvalidInput,
                "guest policy " + hex_number(block.policy) +
                    " is not valid: bit 17 must be 1 and bits 63:26 must be 0 (ABI table "
                    "\"Guest Policy Structure\"); the firmware would refuse the launch");
  }
  if (block.version != IdBlock::kVersion) {
    return fail(Errc::kUnknownVersion, "ID_BLOCK version " + std::to_string(block.version) +
                                           " is not known (only 1 is)");
  }
  auto id_key = load_private(id_key_pem, "the ID key");
  if (!id_key) return std::unexpected(id_key.error());
  IdentityOutput out;
  out.block = block;
  out.id_block = block.serialize();
  auto id_pub = abi_key_of(id_key->get());
  if (!id_pub) return std::unexpected(id_pub.error());
  auto block_sig = sign(id_key->get(), out.id_block);
  if (!block_sig) return std::unexpected(block_sig.error());
  out.auth.id_key = *id_pub;
  out.auth.id_block_sig = *block_sig;
  auto id_digest = key_digest(*id_pub);
  if (!id_digest) return std::unexpected(id_digest.error());
  out.id_key_digest = *id_digest;
  if (author_key_pem) {
    auto author = load_private(*author_key_pem, "the author key");
    if (!author) return std::unexpected(author.error());
    auto author_pub = abi_key_of(author->get());
    if (!author_pub) return std::unexpected(author_pub.error());
    if (*author_pub == *id_pub) {
      return fail(Errc::kInvalidInput, "the author key is the ID key; they must differ");
    }
    auto key_sig = sign(author->get(), *id_pub);
    if (!key_sig) return std::unexpected(key_sig.error());
    out.auth.auth_key_algo = IdAuthInfo::kAlgoEcdsaP384Sha384;
    out.auth.author_key = *author_pub;
    out.auth.id_key_sig = *key_sig;
    auto author_digest = key_digest(*author_pub);
    if (!author_digest) return std::unexpected(author_digest.error());
    out.author_key_digest = *author_digest;
  }
  out.id_auth = out.auth.serialize();
  return out;
}

Result<void> verify_abi_signature(ByteView abi_key, ByteView message, ByteView signature) {
  auto key = key_from_abi(abi_key);
  if (!key) return std::unexpected(key.error());
  if (signature.size() != IdAuthInfo::kSignatureSize) {
    return fail(Errc::kInvalidInput, "an ABI signature is " +
                                         std::to_string(IdAuthInfo::kSignatureSize) +
                                         " bytes, not " + std::to_string(signature.size()));
  }
  BnPtr r(BN_lebin2bn(signature.data(), kField, nullptr));
  BnPtr s(BN_lebin2bn(signature.data() + kField, kField, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return crypto_fail("cannot build the ECDSA signature");
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return crypto_fail("cannot encode the ECDSA signature");
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> der_owner(
      der, [](unsigned char* p) { OPENSSL_free(p); });
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key->get()) != 1) {
    return crypto_fail("cannot set up ECDSA verification");
  }
  if (EVP_DigestVerify(ctx.get(), der, static_cast<std::size_t>(der_len), message.data(),
                       message.size()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "the ECDSA P-384 signature does not verify");
  }
  return {};
}

}  // namespace veritee::snp::measure
