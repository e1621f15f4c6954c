// Freshness (RFC 9334 section 10): the nonce rule and checks every evidence family goes through,
// SNP reports (REPORT_DATA, or an Azure HCL blob's user-data) and DCAP quotes (REPORTDATA) alike.
// A nonce binds when the 64-byte field equals the nonce zero-padded or its SHA-512
// (nonce.hpp, find_nonce_binding).
#pragma once

#include <optional>
#include <string>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/rats/appraiser.hpp"

namespace veritee::rats::detail {

// A nonce is 1 to 1024 bytes, and present when the policy requires one; `field` names where
// the client binds it ("REPORT_DATA", "REPORTDATA"). Errc::kInvalidInput otherwise.
Result<void> nonce_rule(const Submission& s, const verify::AppraisalPolicy& policy,
                        std::string_view field);

// Where the nonce must be bound: the evidence's field and its 64 bytes, or why it has none.
struct NonceTarget {
  std::string field;          // "REPORT_DATA", "the HCL runtime claims' user-data", "REPORTDATA"
  std::optional<Bytes> data;  // 64 bytes
  std::string missing;        // why there is no data (a failed nonce.bound says it)
};

// With a nonce: nonce.valid (redeemed by `nonces` at out.appraised_at; none issues nonces: a
// failure) and nonce.bound against `target`, and out.nonce / out.binding set. Without: the
// skipped "nonce" check. Errc::kNetwork (kNonceStoreUnavailable) when the nonce store cannot
// say: the request fails and the nonce is not consumed.
Result<void> add_nonce_checks(const Submission& s, NonceService* nonces, const NonceTarget& target,
                              AttestationResult& out);

}  // namespace veritee::rats::detail
