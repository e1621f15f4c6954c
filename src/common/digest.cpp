#include "veritee/common/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace veritee {

Result<Bytes> digest(DigestAlg alg, ByteView data) {
  const EVP_MD* md = alg == DigestAlg::kSha256   ? EVP_sha256()
                     : alg == DigestAlg::kSha384 ? EVP_sha384()
                                                 : EVP_sha512();
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
    return fail(Errc::kCrypto, std::string("OpenSSL could not compute ") + EVP_MD_get0_name(md));
  }
  out.resize(len);
  return out;
}

Result<Bytes> hmac_sha256(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    return fail(Errc::kCrypto, "OpenSSL could not compute HMAC-SHA-256");
  }
  out.resize(len);
  return out;
}

bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace veritee
