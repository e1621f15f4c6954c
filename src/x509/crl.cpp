#include "veritee/x509/crl.hpp"

#include <ctime>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "x509/der_text.hpp"
#include "x509/openssl_util.hpp"

namespace veritee::x509 {
namespace {

TimePoint to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return from_utc(tm);
}

}  // namespace

Result<Crl> Crl::load(ByteView input) {
  std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  X509_CRL* raw = nullptr;
  if (text.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    auto bio = ossl::mem_bio(input.data(), input.size());
    raw = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
  } else {
    const std::optional<Bytes> decoded = detail::base64_der(input);
    if (decoded) input = *decoded;
    const unsigned char* p = input.data();
    raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(input.size()));
    if (raw && p != input.data() + input.size()) {
      X509_CRL_free(raw);
      return fail(Errc::kEndorsementInvalid, "DER CRL followed by unexpected bytes");
    }
  }
  if (!raw) return fail(Errc::kEndorsementInvalid, "not an X.509 CRL: " + ossl::last_error());
  return Crl(std::shared_ptr<X509_CRL>(raw, X509_CRL_free));
}

Result<Crl> Crl::load_file(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto crl = load(*bytes);
  if (!crl) return fail_within(crl, path.string());
  return crl;
}

Bytes Crl::der() const {
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl_.get(), &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string Crl::issuer_cn() const {
  const X509_NAME* name = X509_CRL_get_issuer(crl_.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

TimePoint Crl::this_update() const { return to_time_point(X509_CRL_get0_lastUpdate(crl_.get())); }

std::optional<TimePoint> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(crl_.get());
  if (!t) return std::nullopt;
  return to_time_point(t);
}

bool Crl::current_at(TimePoint when) const {
  auto next = next_update();
  return this_update() <= when && (!next || when < *next);
}

Result<void> Crl::verify_signed_by(const Certificate& issuer) const {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(issuer.native())) !=
      0) {
    return fail(Errc::kEndorsementInvalid,
                "CRL issued by '" + issuer_cn() + "', not by '" + issuer.subject_cn() + "'");
  }
  if (X509_CRL_verify(crl_.get(), issuer.public_key()) != 1) {
    return fail(Errc::kEndorsementInvalid, "CRL signature does not verify with the key of '" +
                                               issuer.subject_cn() + "': " + ossl::last_error());
  }
  return {};
}

bool Crl::revokes(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  return X509_CRL_get0_by_serial(crl_.get(), &entry,
                                 X509_get0_serialNumber(cert.native())) == 1;
}

}  // namespace veritee::x509
