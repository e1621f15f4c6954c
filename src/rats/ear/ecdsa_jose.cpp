#include "rats/ear/ecdsa_jose.hpp"

#include "rats/ear/ossl.hpp"

namespace veritee::rats::detail {

Result<Bytes> der_to_jose(ByteView der, std::size_t size) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return fail(Errc::kCrypto, openssl_error("ECDSA signature is not DER"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  const int half = static_cast<int>(size / 2);
  Bytes out(size);
  if (BN_bn2binpad(r, out.data(), half) != half || BN_bn2binpad(s, out.data() + half, half) != half) {
    return fail(Errc::kCrypto, "ECDSA signature component larger than the curve");
  }
  return out;
}

Result<Bytes> jose_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) return fail(Errc::kCrypto, "odd-sized ECDSA signature");
  const int half = static_cast<int>(raw.size() / 2);
  BnPtr r(BN_bin2bn(raw.data(), half, nullptr));
  BnPtr s(BN_bin2bn(raw.data() + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return fail(Errc::kCrypto, openssl_error("cannot build an ECDSA signature"));
  }
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return fail(Errc::kCrypto, openssl_error("cannot encode an ECDSA signature"));
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace veritee::rats::detail
