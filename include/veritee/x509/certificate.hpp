// X.509 certificates through OpenSSL 3, with AMD's SEV-SNP extensions (AMD doc 57230
// "VCEK Certificate and KDS Interface Specification", section 3 "VCEK Certificate";
// DESIGN.md 3.5): OID arc 1.3.6.1.4.1.3704.1.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/common/time.hpp"

namespace veritee::x509 {

// The AMD extensions present in a VCEK or VLEK (all optional: an ARK/ASK has none of them).
struct AmdExtensions {
  std::optional<std::int64_t> struct_version;  // .1
  std::optional<std::string> product_name;     // .2, e.g. "Milan-B0"
  std::optional<std::uint8_t> bl_spl;          // .3.1
  std::optional<std::uint8_t> tee_spl;         // .3.2
  std::optional<std::uint8_t> snp_spl;         // .3.3
  std::array<std::optional<std::uint8_t>, 4> spl4_7;  // .3.4 - .3.7
  std::optional<std::uint8_t> ucode_spl;       // .3.8
  std::optional<std::uint8_t> fmc_spl;         // .3.9 (Turin)
  std::optional<Bytes> hw_id;                  // .4, 64 bytes (Turin: 8)
  std::optional<std::string> csp_id;           // .5, VLEK only
};

class Certificate {
 public:
  static Result<Certificate> from_der(ByteView der);
  // Every certificate in a PEM bundle, or the single certificate of a DER input.
  static Result<std::vector<Certificate>> load_all(ByteView pem_or_der);
  static Result<std::vector<Certificate>> load_file(const std::filesystem::path& path);
  // from_der remembers the last 256 certificates it parsed (by SHA-256 of the DER) and hands
  // the same object out again; this forgets them (cold-path benchmarks, memory).
  static void forget_parsed();

  // OpenSSL's X509 for this certificate, built on first use (d2i_X509 decodes the key
  // through OpenSSL 3.0's decoder, so the verification path avoids it). Null only if OpenSSL
  // refuses DER that from_der accepted.
  X509* native() const;
  // The subject public key as an EVP_PKEY. A P-384 key is built on first use (see
  // p384_point()); any other key is decoded by from_der. Null when a P-384 point is not on
  // the curve.
  EVP_PKEY* public_key() const;
  // The subject public key as the 97-byte uncompressed point (0x04 || X || Y, SEC 1 2.3.3)
  // when it is an id-ecPublicKey on secp384r1 (RFC 5480), else empty. Not checked to lie on
  // the curve: the user of the point checks that.
  ByteView p384_point() const;
  // The same address for every copy of one parsed certificate (memo keys).
  const void* identity() const { return state_.get(); }

  Bytes der() const;
  std::string pem() const;
  std::string subject_cn() const;
  std::string issuer_cn() const;
  std::string serial_hex() const;  // lowercase, no leading zeros
  std::string sha256_hex() const;  // fingerprint of the DER
  std::array<unsigned char, 32> sha256() const;  // the same, computed once by from_der
  TimePoint not_before() const;
  TimePoint not_after() const;
  bool valid_at(TimePoint when) const;
  bool is_self_issued() const;  // subject == issuer

  // The signature over this certificate verifies with `issuer`'s public key (RSA-PSS included,
  // as the certificate's signatureAlgorithm says).
  Result<void> verify_signed_by(const Certificate& issuer) const;
  // Decodes AMD's extensions; a malformed one (wrong ASN.1 type, SPL out of 0..255) is an error.
  Result<AmdExtensions> amd_extensions() const;

  friend bool operator==(const Certificate& a, const Certificate& b);

 private:
  struct State;  // certificate.cpp
  explicit Certificate(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace veritee::x509
