#include "verify/report_signature.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "x509/openssl_util.hpp"

namespace veritee::verify {
namespace {

constexpr std::size_t kP384Bytes = 48;

// DER ECDSA-Sig-Value from the report's little-endian R and S.
Result<Bytes> der_signature(const snp::Report& report) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_lebin2bn(report.signature_r().data(), kP384Bytes, nullptr);
  BIGNUM* s = BN_lebin2bn(report.signature_s().data(), kP384Bytes, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return fail(Errc::kCrypto, "cannot build the ECDSA signature: " + ossl::last_error());
  }
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return fail(Errc::kCrypto, "cannot encode the ECDSA signature");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 384) {
    return fail(Errc::kEndorsementInvalid,
                "the signing certificate's key is not ECDSA P-384 (" +
                    std::string(EVP_PKEY_get0_type_name(key)) + ", " +
                    std::to_string(EVP_PKEY_get_bits(key)) + " bits)");
  }
  auto sig = der_signature(report);
  if (!sig) return std::unexpected(sig.error());
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) != 1) {
    return fail(Errc::kCrypto, "cannot set up ECDSA verification: " + ossl::last_error());
  }
  auto data = report.signed_bytes();
  int rc = EVP_DigestVerify(ctx.get(), sig->data(), sig->size(), data.data(), data.size());
  ERR_clear_error();
  if (rc != 1) {
    return fail(Errc::kInvalidInput,
                "ECDSA P-384 signature over bytes [0x000, 0x2A0) does not verify with the "
                "signing certificate's key");
  }
  return {};
}

}  // namespace veritee::verify
