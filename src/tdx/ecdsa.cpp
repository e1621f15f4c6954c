#include "tdx/ecdsa.hpp"

#include "veritee/x509/ecdsa.hpp"

#include <array>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace veritee::tdx::detail {
namespace {

template <class T, void (*Free)(T*)>
using Ptr = std::unique_ptr<T, ossl::Deleter<T, Free>>;

}  // namespace

Result<ossl::PkeyPtr> p256_key(ByteView xy) {
  if (xy.size() != 64) return fail(Errc::kInvalidInput, "a P-256 point is 64 bytes (x || y)");
  std::array<unsigned char, 65> point{};
  point[0] = 0x04;  // uncompressed (SEC 1, section 2.3.3)
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  Ptr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return fail(Errc::kCrypto, "cannot build EC parameters: " + ossl::last_error());
  }
  Ptr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "the attestation key is not a point on P-256");
  }
  ossl::PkeyPtr out(key);
  // fromdata accepts a point without checking it lies on the curve: check it.
  ossl::PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "the attestation key is not a point on P-256");
  }
  return out;
}

Result<void> verify_p256(EVP_PKEY* key, ByteView data, ByteView signature) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 256) {
    return fail(Errc::kEndorsementInvalid, "the key is not ECDSA P-256");
  }
  if (signature.size() != 64) return fail(Errc::kInvalidInput, "a P-256 signature is 64 bytes");
  auto der = x509::ecdsa_raw_to_der(signature);
  if (!der) return std::unexpected(der.error());
  ossl::MdCtxPtr md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return fail(Errc::kCrypto, "cannot set up ECDSA verification: " + ossl::last_error());
  }
  if (EVP_DigestVerify(md.get(), der->data(), der->size(), data.data(), data.size()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput, "signature does not verify");
  }
  return {};
}

}  // namespace veritee::tdx::detail
