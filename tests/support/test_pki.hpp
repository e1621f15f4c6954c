// A private AMD-shaped PKI built at test time with OpenSSL: an RSA ARK (self-signed), an ASK
// signed by it, an EC P-384 VCEK with AMD's extensions signed by the ASK (all RSASSA-PSS,
// SHA-384, MGF1-SHA-384, salt 48, as AMD signs), a CRL signed by the ARK, and reports re-signed
// with the test VCEK's key. Used with TrustStore::pin, never with the real AMD roots.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/trust_store.hpp"

namespace veritee::test {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using SharedPkey = std::shared_ptr<EVP_PKEY>;

SharedPkey make_rsa_key(int bits);
// An RSA key generated once for the build tree (VERITEE_TEST_KEY_DIR) and reused by every test
// process after the first.
SharedPkey cached_rsa_key(const std::string& name, int bits);
SharedPkey make_p384_key();

struct CertSpec {
  std::string subject_cn;
  std::string issuer_cn;  // same as subject_cn for a self-signed certificate
  std::int64_t serial = 1;
  veritee::TimePoint not_before;
  veritee::TimePoint not_after;
  bool ca = false;
  // Written as AMD writes them: SPLs and structVersion as DER INTEGER, productName as DER
  // IA5String, hwID as the raw bytes of the extension value.
  std::optional<x509::AmdExtensions> amd;
  // Further extensions as (dotted OID, the exact extnValue bytes), e.g. malformed ones.
  std::vector<std::pair<std::string, Bytes>> raw_extensions;
};

// DER encodings, for raw_extensions.
Bytes der_integer(std::int64_t v);
Bytes der_ia5(const std::string& s);
Bytes der_octet_string(const Bytes& b);

// A DER certificate for `subject_key`, signed by `issuer_key` (RSA: PSS SHA-384 salt 48;
// EC: ECDSA SHA-384).
Bytes make_certificate_der(const CertSpec& spec, EVP_PKEY* subject_key, EVP_PKEY* issuer_key);

// A DER CRL issued by `issuer_cn`, signed with `issuer_key` (PSS as above), revoking `serials`.
Bytes make_crl_der(const std::string& issuer_cn, EVP_PKEY* issuer_key, veritee::TimePoint this_update,
                   std::optional<veritee::TimePoint> next_update,
                   const std::vector<std::int64_t>& revoked_serials);

// A copy of `report` (0x4A0 bytes) whose signature at 0x2A0 is ECDSA P-384 / SHA-384 over
// [0, 0x2A0) by `key`, with R and S little endian in 72-byte fields.
Bytes sign_report(const Bytes& report, EVP_PKEY* key);

// Validity used by default: 2020-01-01 .. 2040-01-01.
veritee::TimePoint default_not_before();
veritee::TimePoint default_not_after();
veritee::TimePoint utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0);

x509::Certificate to_certificate(const Bytes& der);
// PEM text of a DER certificate or CRL (through OpenSSL's PEM writer).
std::string certificate_pem(const Bytes& der);
std::string crl_pem(const Bytes& der);

// The VCEK extensions matching a report: SPLs from REPORTED_TCB under `product`, hwID from
// CHIP_ID (Turin: first 8 bytes), productName from the product.
x509::AmdExtensions extensions_for_report(const Bytes& report, snp::Product product);

struct TestPki {
  snp::Product product = snp::Product::kMilan;
  SharedPkey ark_key, ask_key, vcek_key;
  x509::Certificate ark, ask, vcek;
  snp::TrustStore store;  // the test ARK/ASK pinned for `product`
};

// ARK "ARK-<Product>" (serial 0x1001), ASK "SEV-<Product>" (0x1002), VCEK "SEV-VCEK" (0x1003)
// whose extensions match `report`. RSA keys are generated once per process and reused.
TestPki make_test_pki(snp::Product product, const Bytes& report,
                      veritee::TimePoint vcek_not_before = default_not_before(),
                      veritee::TimePoint vcek_not_after = default_not_after());

}  // namespace veritee::test
