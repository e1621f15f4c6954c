// RAII for OpenSSL objects and OpenSSL's error queue as text. Internal to libveritee.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

namespace veritee::ossl {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Asn1TypePtr = std::unique_ptr<ASN1_TYPE, Deleter<ASN1_TYPE, ASN1_TYPE_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

// SHA-256 and SHA-384 fetched from the default provider once per process (null if OpenSSL
// has none): EVP_sha256() in a digest call makes OpenSSL 3 look its implementation up again
// every time, which costs more than hashing a report.
inline const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
inline const EVP_MD* sha384_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  return md;
}

// A key shared between owners (a signing key and the JWKS that publishes it).
inline std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// The oldest OpenSSL error on this thread's queue (and clears the queue), or `fallback`.
inline std::string last_error(const char* fallback = "unknown OpenSSL error") {
  unsigned long code = ERR_get_error();
  std::string out = fallback;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out;
}

// "what: <the oldest OpenSSL error>", or just `what` when the queue is empty (clears it).
inline std::string error_with(const std::string& what) {
  if (ERR_peek_error() == 0) return what;
  return what + ": " + last_error();
}

inline BioPtr mem_bio(const void* data, std::size_t size) {
  return BioPtr(BIO_new_mem_buf(data, static_cast<int>(size)));
}

}  // namespace veritee::ossl
