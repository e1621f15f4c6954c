#include "raw_floor.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <gmp.h>
#include <nettle/dsa.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace veritee::bench {
namespace {

[[noreturn]] void die(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  throw std::runtime_error("raw baseline: " + what + (e ? std::string(": ") + buf : ""));
}

}  // namespace

RawVerify::RawVerify(x509::Certificate holder, Bytes tbs, Bytes sig, bool pss)
    : holder_(std::move(holder)), tbs_(std::move(tbs)), sig_(std::move(sig)),
      md_(EVP_MD_fetch(nullptr, "SHA384", nullptr)) {
  if (!md_) die("no SHA-384");
  ctx_.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, holder_.public_key(), nullptr));
  if (!ctx_ || EVP_PKEY_verify_init(ctx_.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx_.get(), md_.get()) != 1) {
    die("cannot prepare the verification context");
  }
  if (pss && (EVP_PKEY_CTX_set_rsa_padding(ctx_.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(ctx_.get(), md_.get()) != 1 ||
              EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx_.get(), 48) != 1)) {
    die("cannot set RSA-PSS parameters");
  }
  if (!(*this)()) die("the prepared signature does not verify");
}

bool RawVerify::operator()() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(tbs_.data(), tbs_.size(), digest, &len, md_.get(), nullptr) != 1) return false;
  return EVP_PKEY_verify(ctx_.get(), sig_.data(), sig_.size(), digest, len) == 1;
}

RawVerify raw_ecdsa(ByteView report, const x509::Certificate& vcek) {
  // DER ECDSA-Sig-Value from R and S (72-byte little-endian fields, P-384 uses 48 bytes).
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_lebin2bn(report.data() + 0x2A0, 48, nullptr);
  BIGNUM* s = BN_lebin2bn(report.data() + 0x2E8, 48, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) die("ECDSA_SIG");
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) die("i2d_ECDSA_SIG");
  Bytes der_sig(der, der + len);
  OPENSSL_free(der);
  return RawVerify(vcek, Bytes(report.begin(), report.begin() + 0x2A0), std::move(der_sig), false);
}

RawVerify raw_cert_signature(const x509::Certificate& subject, const x509::Certificate& issuer) {
  unsigned char* tbs = nullptr;
  int len = i2d_re_X509_tbs(subject.native(), &tbs);
  if (len <= 0) die("i2d_re_X509_tbs");
  Bytes tbs_bytes(tbs, tbs + len);
  OPENSSL_free(tbs);
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, subject.native());
  const unsigned char* p = ASN1_STRING_get0_data(sig);
  Bytes sig_bytes(p, p + ASN1_STRING_length(sig));
  const bool pss = OBJ_obj2nid(alg->algorithm) == NID_rsassaPss;
  return RawVerify(issuer, std::move(tbs_bytes), std::move(sig_bytes), pss);
}

struct NettleRaw::State {
  Bytes message;
  ecc_point pub{};
  dsa_signature sig{};
  State() {
    ecc_point_init(&pub, nettle_get_secp_384r1());
    dsa_signature_init(&sig);
  }
  ~State() {
    ecc_point_clear(&pub);
    dsa_signature_clear(&sig);
  }
};

NettleRaw::NettleRaw(ByteView report, const x509::Certificate& vcek) : state_(new State) {
  state_->message.assign(report.begin(), report.begin() + 0x2A0);
  mpz_import(state_->sig.r, 48, -1, 1, 0, 0, report.data() + 0x2A0);  // little-endian
  mpz_import(state_->sig.s, 48, -1, 1, 0, 0, report.data() + 0x2E8);
  mpz_t xy[2];
  const char* names[2] = {OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y};
  for (int i = 0; i < 2; ++i) {
    BIGNUM* bn = nullptr;
    unsigned char be[48];
    if (EVP_PKEY_get_bn_param(vcek.public_key(), names[i], &bn) != 1 ||
        BN_bn2binpad(bn, be, 48) != 48) {
      die("the VCEK's P-384 point");
    }
    BN_free(bn);
    mpz_init(xy[i]);
    mpz_import(xy[i], 48, 1, 1, 0, 0, be);
  }
  const int on_curve = ecc_point_set(&state_->pub, xy[0], xy[1]);
  mpz_clear(xy[0]);
  mpz_clear(xy[1]);
  if (on_curve != 1) die("the VCEK's point is not on secp384r1 for nettle");
  if (!(*this)()) die("the report signature does not verify on nettle");
}

NettleRaw::~NettleRaw() = default;

bool NettleRaw::operator()() const {
  sha384_ctx ctx;
  std::uint8_t digest[SHA384_DIGEST_SIZE];
  sha384_init(&ctx);
  sha384_update(&ctx, state_->message.size(), state_->message.data());
  sha384_digest(&ctx, sizeof digest, digest);
  return ecdsa_verify(&state_->pub, sizeof digest, digest, &state_->sig) == 1;
}

bool RawChain::operator()() const {
  return std::all_of(steps.begin(), steps.end(), [](const RawVerify& v) { return v(); });
}

RawChain raw_chain(ByteView report, const x509::Certificate& vcek, const x509::Certificate& ask,
                   const x509::Certificate& ark) {
  RawChain chain;
  chain.steps.push_back(raw_cert_signature(ark, ark));
  chain.steps.push_back(raw_cert_signature(ask, ark));
  chain.steps.push_back(raw_cert_signature(vcek, ask));
  chain.steps.push_back(raw_ecdsa(report, vcek));
  return chain;
}

}  // namespace veritee::bench
