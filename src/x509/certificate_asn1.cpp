// OpenSSL ASN.1 templates for certificate_asn1.hpp (asn1t.h macros, RFC 5280 section 4.1).
#include "x509/certificate_asn1.hpp"

#include <cstddef>

#include <openssl/asn1t.h>

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuseless-cast"  // g++ only; clang (the fuzz build) lacks it
#endif
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wzero-as-null-pointer-constant"
#endif

namespace veritee::x509::detail {

using VtSpki = SpkiFields;
using VtTbs = TbsFields;
using VtCert = CertFields;

DECLARE_ASN1_ITEM(VtSpki)
DECLARE_ASN1_ITEM(VtTbs)
DECLARE_ASN1_ITEM(VtCert)

ASN1_SEQUENCE_enc(VtSpki, enc, 0) = {
    ASN1_SIMPLE(VtSpki, algorithm, X509_ALGOR),
    ASN1_SIMPLE(VtSpki, public_key, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END_enc(VtSpki, VtSpki)

ASN1_SEQUENCE_enc(VtTbs, enc, 0) = {
    ASN1_EXP_OPT(VtTbs, version, ASN1_INTEGER, 0),
    ASN1_SIMPLE(VtTbs, serial, ASN1_INTEGER),
    ASN1_SIMPLE(VtTbs, signature, X509_ALGOR),
    ASN1_SIMPLE(VtTbs, issuer, X509_NAME),
    ASN1_SIMPLE(VtTbs, validity, X509_VAL),
    ASN1_SIMPLE(VtTbs, subject, X509_NAME),
    ASN1_SIMPLE(VtTbs, key, VtSpki),
    ASN1_IMP_OPT(VtTbs, issuer_uid, ASN1_BIT_STRING, 1),
    ASN1_IMP_OPT(VtTbs, subject_uid, ASN1_BIT_STRING, 2),
    ASN1_EXP_SEQUENCE_OF_OPT(VtTbs, extensions, X509_EXTENSION, 3),
} ASN1_SEQUENCE_END_enc(VtTbs, VtTbs)

ASN1_SEQUENCE(VtCert) = {
    ASN1_SIMPLE(VtCert, tbs, VtTbs),
    ASN1_SIMPLE(VtCert, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(VtCert, signature, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(VtCert)

const ASN1_ITEM* tbs_item() { return ASN1_ITEM_rptr(VtTbs); }

CertFields* d2i_cert_fields(const unsigned char** in, long len) {
  return reinterpret_cast<CertFields*>(ASN1_item_d2i(nullptr, in, len, ASN1_ITEM_rptr(VtCert)));
}

void free_cert_fields(CertFields* fields) {
  ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(fields), ASN1_ITEM_rptr(VtCert));
}

}  // namespace veritee::x509::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
