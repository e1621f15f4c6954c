#include "digest.hpp"

#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace veritee::rats::detail {
namespace {

Bytes digest(const EVP_MD* md, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  out.resize(len);
  return out;
}

}  // namespace

Bytes sha256(ByteView data) { return digest(EVP_sha256(), data); }
Bytes sha512(ByteView data) { return digest(EVP_sha512(), data); }

Bytes hmac_sha256(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  out.resize(len);
  return out;
}

bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace veritee::rats::detail
