// Certificate loading (PEM bundle or DER), AMD extension decoding and the other accessors, CRL
// loading and revocation lookup, and RFC 3339 time parsing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  veritee::ByteView input(data, size);
  auto certs = veritee::x509::Certificate::load_all(input);
  if (certs) {
    for (const auto& c : *certs) {
      (void)c.amd_extensions();
      (void)c.subject_cn();
      (void)c.issuer_cn();
      (void)c.serial_hex();
      (void)c.sha256_hex();
      (void)c.not_before();
      (void)c.not_after();
      (void)c.is_self_issued();
      (void)c.pem();
      (void)c.der();
      (void)c.verify_signed_by(c);
    }
  }
  if (auto crl = veritee::x509::Crl::load(input)) {
    (void)crl->issuer_cn();
    (void)crl->this_update();
    (void)crl->next_update();
    (void)crl->der();
    if (certs) {
      for (const auto& c : *certs) {
        (void)crl->revokes(c);
        (void)crl->verify_signed_by(c);
      }
    }
  }
  std::string_view text(reinterpret_cast<const char*>(data), size < 64 ? size : 64);
  if (auto t = veritee::parse_time(text)) (void)veritee::format_time(*t);
  return 0;
}
