// RAII for the OpenSSL objects the rats module uses (STYLE.md: unique_ptr with OpenSSL
// deleters, no manual frees), and the last OpenSSL error as text.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "x509/openssl_util.hpp"

namespace veritee::rats::detail {

// The library's own RAII types (src/x509/openssl_util.hpp), plus what only this module uses.
template <class T, void (*F)(T*)>
using Free = ossl::Deleter<T, F>;
using ossl::BioPtr;
using ossl::MdCtxPtr;
using ossl::PkeyCtxPtr;
using ossl::PkeyPtr;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG, ECDSA_SIG_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM, OSSL_PARAM_free>>;

inline std::shared_ptr<EVP_PKEY> share(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// The oldest queued OpenSSL error, or `fallback`; clears the queue.
inline std::string openssl_error(const std::string& fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return fallback + ": " + buf;
}

}  // namespace veritee::rats::detail
