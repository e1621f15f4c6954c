#include "veritee/x509/ecdsa.hpp"

#include <memory>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "x509/openssl_util.hpp"

namespace veritee::x509 {
namespace {

using ossl::BnPtr;
using ossl::EcdsaSigPtr;

}  // namespace

Result<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return fail(Errc::kInvalidInput, "an r || s ECDSA signature has two halves of equal size");
  }
  const int half = static_cast<int>(raw.size() / 2);
  BnPtr r(BN_bin2bn(raw.data(), half, nullptr));
  BnPtr s(BN_bin2bn(raw.data() + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return fail(Errc::kCrypto, "cannot build an ECDSA signature: " + ossl::last_error());
  }
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return fail(Errc::kCrypto, "cannot encode an ECDSA signature: " + ossl::last_error());
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t size) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return fail(Errc::kCrypto, "ECDSA signature is not DER: " + ossl::last_error());
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

}  // namespace veritee::x509
