// The checks material from KDS, a cache or a bundle must pass before veritee stores or uses it
// (DESIGN.md invariant 6): it chains to the pinned AMD roots of its product line and, for a
// VCEK, is the one that was asked for. Validity periods are not judged here: whether a
// certificate is valid at the verification time (`--at`) is the verifier's check.
#pragma once

#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/trust_store.hpp"

namespace veritee::endorse {

// A VCEK (DER, as KDS serves it; PEM of one certificate also accepted) signed by the pinned
// ASK of the request's product, whose hwID and SPL extensions (AMD doc 57230, section 3.1
// "VCEK Certificate Extensions") equal the request's. Errc::kEndorsementInvalid says which
// part differs, e.g. "a VCEK for another chip".
Result<x509::Certificate> check_vcek(ByteView der, const VcekRequest& request,
                                     const snp::TrustStore& roots);

// A cert_chain (PEM: ASK or ASVK, then ARK; AMD doc 57230, section 4.2): the ARK is the pinned
// one of the product and the CA is signed by it. Returned in the served order.
Result<std::vector<x509::Certificate>> check_chain(ByteView pem, snp::Product product, Line line,
                                                   const snp::TrustStore& roots);

// A CRL (DER or PEM) signed by the pinned ARK of the product (AMD doc 57230, section 4.3).
Result<x509::Crl> check_crl(ByteView der, snp::Product product, const snp::TrustStore& roots);

}  // namespace veritee::endorse
