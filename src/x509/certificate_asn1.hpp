// An X.509 certificate as OpenSSL's ASN.1 templates decode it, with the SubjectPublicKeyInfo
// kept as its algorithm and BIT STRING (RFC 5280 section 4.1). Internal to libveritee.
//
// Why not d2i_X509: on OpenSSL 3.0 the X509_PUBKEY item's d2i callback decodes the key
// eagerly through OSSL_DECODER_CTX_new_for_pkey, which collects every decoder of every
// provider on each call (about 1.2 M instructions, most of a VCEK parse; docs/performance.md).
// The templates below are OpenSSL's own (asn1t.h; no hand-written DER) and differ from
// X509_CINF only in the SubjectPublicKeyInfo item: X509_ALGOR + ASN1_BIT_STRING, the same
// layout without the key callback. The TBSCertificate keeps its original encoding
// (ASN1_SEQUENCE_enc), so a signature check hashes the received bytes, as X509_verify does.
#pragma once

#include <openssl/asn1.h>
#include <openssl/x509.h>

namespace veritee::x509::detail {

// RFC 5280 4.1: SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }.
struct SpkiFields {
  ASN1_ENCODING enc;  // the received DER of the SubjectPublicKeyInfo
  X509_ALGOR* algorithm;
  ASN1_BIT_STRING* public_key;
};

// RFC 5280 4.1: TBSCertificate.
struct TbsFields {
  ASN1_ENCODING enc;  // the received DER of the TBSCertificate
  ASN1_INTEGER* version;  // [0] EXPLICIT, absent = v1
  ASN1_INTEGER* serial;
  X509_ALGOR* signature;
  X509_NAME* issuer;
  X509_VAL* validity;
  X509_NAME* subject;
  SpkiFields* key;
  ASN1_BIT_STRING* issuer_uid;   // [1] IMPLICIT
  ASN1_BIT_STRING* subject_uid;  // [2] IMPLICIT
  STACK_OF(X509_EXTENSION)* extensions;  // [3] EXPLICIT
};

// RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }.
struct CertFields {
  TbsFields* tbs;
  X509_ALGOR* signature_algorithm;
  ASN1_BIT_STRING* signature;
};

const ASN1_ITEM* tbs_item();
CertFields* d2i_cert_fields(const unsigned char** in, long len);
void free_cert_fields(CertFields* fields);

}  // namespace veritee::x509::detail
