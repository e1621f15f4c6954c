// Certificate revocation lists as served by AMD KDS (`/vcek/v1/{product}/crl`): DER, signed by
// the ARK with RSA-PSS (AMD doc 57230, section 4.3 "Certificate Revocation List").
#pragma once

#include <memory>
#include <string>

#include <openssl/types.h>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/common/error.hpp"

namespace veritee::x509 {

class Crl {
 public:
  // DER or PEM.
  static Result<Crl> load(ByteView der_or_pem);
  static Result<Crl> load_file(const std::filesystem::path& path);

  X509_CRL* native() const { return crl_.get(); }
  Bytes der() const;
  std::string issuer_cn() const;
  TimePoint this_update() const;
  std::optional<TimePoint> next_update() const;
  // thisUpdate <= when and (no nextUpdate or when < nextUpdate).
  bool current_at(TimePoint when) const;
  Result<void> verify_signed_by(const Certificate& issuer) const;
  bool revokes(const Certificate& cert) const;  // by serial number

 private:
  explicit Crl(std::shared_ptr<X509_CRL> crl) : crl_(std::move(crl)) {}
  std::shared_ptr<X509_CRL> crl_;
};

}  // namespace veritee::x509
