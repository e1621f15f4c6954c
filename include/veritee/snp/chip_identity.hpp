// A chip's identity: the report's CHIP_ID, a VCEK's hwID extension, a policy's chip_ids entry
// (DESIGN.md 3.5), and whether a report is signed by a VLEK rather than a chip's VCEK. One home
// for the rules the KDS request, the endorsement check, the verifier and the appraisal share.
#pragma once

#include <cstddef>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::snp {

// The hwID length of a product: Turin's is CHIP_ID[0:8] (the rest of CHIP_ID is zero), the
// others' is all 64 bytes of CHIP_ID.
std::size_t hw_id_size(Product product);

// The hwID a report's CHIP_ID names: CHIP_ID[0:hw_id_size(product)]. Errc::kUnsupported when
// CHIP_ID is all zero (masked, or a VLEK-signed report: it names no chip),
// Errc::kInvalidInput when a Turin CHIP_ID has non-zero bytes after the first 8.
Result<ByteView> hw_id_of(ByteView chip_id, Product product);

// Whether `hw_id` (a VCEK's hwID extension, a policy's chip_ids entry) names the chip of a
// report's CHIP_ID: an 8-byte hwID is a Turin's, CHIP_ID[0:8] with the rest zero; a 64-byte one
// is all of CHIP_ID. Any other length, or an all-zero CHIP_ID, names no chip.
bool names_chip(ByteView hw_id, ByteView chip_id);

// An ASVK's common name ("SEV-VLEK-Milan"): the CA of VLEKs, not of VCEKs.
bool is_asvk_name(std::string_view common_name);

// Whether a signing certificate is a VLEK: it carries the CSP_ID extension, or its issuer is an
// ASVK.
bool is_vlek(const x509::Certificate& signer, const x509::AmdExtensions& extensions);

}  // namespace veritee::snp
