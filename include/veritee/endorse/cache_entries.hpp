// The cache entries veritee keeps, each tied to its check (endorsement_check.hpp) and its
// lifetime: a VCEK never changes for its (product, hwID, TCB) and never goes stale; a chain
// lives as long as its certificates are valid; a CRL until its nextUpdate (AMD doc 57230,
// section 4.3).
#pragma once

#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/snp/trust_store.hpp"

namespace veritee::endorse {

// "vcek/milan/<hwid>/3-0-8-115" (Turin: ".../fmc1-3-0-8-115").
CacheEntry vcek_entry(const VcekRequest& request, const snp::TrustStore& roots);
// "chain/genoa/vcek", "chain/genoa/vlek".
CacheEntry chain_entry(snp::Product product, Line line, const snp::TrustStore& roots);
// "crl/turin/vcek", "crl/turin/vlek".
CacheEntry crl_entry(snp::Product product, Line line, const snp::TrustStore& roots);

}  // namespace veritee::endorse
