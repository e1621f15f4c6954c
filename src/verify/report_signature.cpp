#include "verify/report_signature.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "x509/openssl_util.hpp"

namespace veritee::verify {
namespace {

constexpr std::size_t kP384Bytes = 48;

// DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs) from the report's little-endian R and S,
// built on the stack: no BIGNUMs, no allocation. Each INTEGER is at most 1 + 48 bytes of
// contents, so the whole value is at most 2 + 2 * (2 + 49) = 104 bytes (short-form lengths).
struct DerSignature {
  std::array<std::uint8_t, 104> bytes{};
  std::size_t size = 0;
};

std::size_t put_integer(std::uint8_t* out, ByteView little_endian) {
  std::array<std::uint8_t, kP384Bytes> be{};
  for (std::size_t i = 0; i < kP384Bytes; ++i) be[i] = little_endian[kP384Bytes - 1 - i];
  std::size_t skip = 0;
  while (skip + 1 < kP384Bytes && be[skip] == 0) ++skip;  // minimal: no leading zero octets
  const bool pad = (be[skip] & 0x80) != 0;                // but non-negative
  const std::size_t len = kP384Bytes - skip + (pad ? 1 : 0);
  std::size_t n = 0;
  out[n++] = 0x02;
  out[n++] = static_cast<std::uint8_t>(len);
  if (pad) out[n++] = 0x00;
  for (std::size_t i = skip; i < kP384Bytes; ++i) out[n++] = be[i];
  return n;
}

DerSignature der_signature(ByteView r_le, ByteView s_le) {
  DerSignature sig;
  std::uint8_t* p = sig.bytes.data();
  std::size_t n = 2;
  n += put_integer(p + n, r_le);
  n += put_integer(p + n, s_le);
  p[0] = 0x30;
  p[1] = static_cast<std::uint8_t>(n - 2);
  sig.size = n;
  return sig;
}

// The verification context of the last key this thread verified with, kept ready
// (EVP_PKEY_verify_init done, signature digest set). Holding a reference on the key keeps its
// address from being reused for another key while the context refers to it.
struct PreparedVerify {
  ossl::PkeyPtr key;
  ossl::PkeyCtxPtr ctx;

  EVP_PKEY_CTX* for_key(EVP_PKEY* k) {
    if (key.get() == k && ctx) return ctx.get();
    ctx.reset();
    key.reset();
    ossl::PkeyCtxPtr fresh(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr));
    if (!fresh || EVP_PKEY_verify_init(fresh.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(fresh.get(), ossl::sha384_md()) != 1 || EVP_PKEY_up_ref(k) != 1) {
      return nullptr;
    }
    key.reset(k);
    ctx = std::move(fresh);
    return ctx.get();
  }
};

// The key is ECDSA on secp384r1 (a 384-bit key on another curve is refused by both backends).
Result<void> check_p384_key(EVP_PKEY* key) {
  char group[32] = {};
  std::size_t group_len = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_bits(key) != 384 ||
      EVP_PKEY_get_group_name(key, group, sizeof group, &group_len) != 1 ||
      std::string_view(group, group_len) != "secp384r1") {
    ERR_clear_error();
    return fail(Errc::kEndorsementInvalid,
                "the signing certificate's key is not ECDSA P-384 (" +
                    std::string(EVP_PKEY_get0_type_name(key)) + ", " +
                    std::to_string(EVP_PKEY_get_bits(key)) + " bits" +
                    (group_len != 0 ? ", " + std::string(group, group_len) : std::string()) + ")");
  }
  return {};
}

// SHA-384 through OpenSSL for both backends: faster than nettle's here (docs/performance.md).
struct Digest384 {
  std::array<unsigned char, 48> bytes{};
  Result<void> compute(ByteView message) {
    unsigned int len = 0;
    if (!ossl::sha384_md() || EVP_Digest(message.data(), message.size(), bytes.data(), &len, ossl::sha384_md(),
                                nullptr) != 1 ||
        len != bytes.size()) {
      return fail(Errc::kCrypto, "cannot compute SHA-384: " + ossl::last_error());
    }
    return {};
  }
};

Result<void> report_mismatch(Result<void> ok) {
  if (!ok && ok.error().code == Errc::kInvalidInput) {
    return fail(Errc::kInvalidInput,
                "ECDSA P-384 signature over bytes [0x000, 0x2A0) does not verify with the "
                "signing certificate's key");
  }
  return ok;
}

P384Backend backend_from_env() {
  const char* value = std::getenv("VERITEE_P384");
  return value != nullptr && std::string_view(value) == "openssl" ? P384Backend::kOpenssl
                                                                  : P384Backend::kNettle;
}

}  // namespace

P384Backend p384_backend() {
  static const P384Backend backend = backend_from_env();
  return backend;
}

const char* to_string(P384Backend backend) {
  return backend == P384Backend::kOpenssl ? "openssl" : "nettle";
}

Result<void> verify_p384_sha384(ByteView message, ByteView r_le, ByteView s_le, EVP_PKEY* key,
                                P384Backend backend) {
  if (r_le.size() != kP384Bytes || s_le.size() != kP384Bytes) {
    return fail(Errc::kInvalidInput, "ECDSA P-384 R and S must be 48 bytes each");
  }
  if (auto ok = check_p384_key(key); !ok) return ok;
  Digest384 digest;
  if (auto ok = digest.compute(message); !ok) return ok;
  const unsigned int digest_len = static_cast<unsigned int>(digest.bytes.size());
  if (backend == P384Backend::kNettle) {
    return detail::nettle_p384_verify(digest.bytes, r_le, s_le, key);
  }
  const DerSignature sig = der_signature(r_le, s_le);
  thread_local PreparedVerify prepared;
  EVP_PKEY_CTX* ctx = prepared.for_key(key);
  if (!ctx) return fail(Errc::kCrypto, "cannot set up ECDSA verification: " + ossl::last_error());
  int rc = EVP_PKEY_verify(ctx, sig.bytes.data(), sig.size, digest.bytes.data(), digest_len);
  if (rc != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidInput,
                "ECDSA P-384 signature does not verify with the signing certificate's key");
  }
  return {};
}

Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key) {
  return verify_report_signature(report, key, p384_backend());
}

Result<void> verify_report_signature(const snp::Report& report, EVP_PKEY* key,
                                     P384Backend backend) {
  // SHA-384 over exactly the input bytes [0, 0x2A0) (DESIGN.md 2.2), then one ECDSA verify.
  return report_mismatch(verify_p384_sha384(report.signed_bytes(),
                                            report.signature_r().first(kP384Bytes),
                                            report.signature_s().first(kP384Bytes), key, backend));
}

Result<void> verify_report_signature(const snp::Report& report, const x509::Certificate& signer) {
  const P384Backend backend = p384_backend();
  const ByteView point = signer.p384_point();
  if (backend == P384Backend::kNettle && !point.empty()) {
    Digest384 digest;
    if (auto ok = digest.compute(report.signed_bytes()); !ok) return ok;
    return report_mismatch(detail::nettle_p384_verify_point(
        digest.bytes, report.signature_r().first(kP384Bytes),
        report.signature_s().first(kP384Bytes), point));
  }
  EVP_PKEY* key = signer.public_key();
  if (!key) {
    return fail(Errc::kEndorsementInvalid,
                "the signing certificate's key is not a point on secp384r1");
  }
  return verify_report_signature(report, key, backend);
}

}  // namespace veritee::verify
