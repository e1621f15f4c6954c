// Verified endorsements from the cache and, on a miss, from KDS: what `veritee fetch` does and
// the last two steps of the resolver's order. Bytes from KDS are checked before they are stored
// or returned; a cache without a client only reads (offline), a client without a cache only
// fetches.
#pragma once

#include <string>
#include <vector>

#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/endorse/kds_url.hpp"

#include <string_view>
#include "veritee/snp/trust_store.hpp"

namespace veritee::endorse {

// The kinds of place an endorsement comes from, in the resolver's order (docs/endorsements.md).
enum class Origin {
  kCertTable,  // the guest's certificate table, sent with the evidence
  kFile,       // a file the user named
  kBundle,     // an offline bundle
  kCache,      // the endorsement cache
  kFetched,    // fetched just now from the vendor's service (AMD KDS, Intel PCS)
  kPinned,     // built in (the pinned AMD roots)
  kAbsent,     // none available: not checked
  kNotUsed,    // turned off by the caller
};
// "certificate table", "file", "bundle", "cache", "fetched", "pinned", "absent", "not used".
std::string_view to_string(Origin origin);
// Whether the caller supplied it with the request (certificate table or file).
inline bool supplied(Origin origin) { return origin == Origin::kCertTable || origin == Origin::kFile; }

template <class T>
struct Fetched {
  T value;
  Bytes bytes;         // as served (and stored)
  std::string source;  // "cache /path/to/object" or "KDS https://..."
  Origin origin = Origin::kCache;
};

class EndorsementFetcher {
 public:
  // Either pointer may be null; both must outlive the fetcher.
  EndorsementFetcher(const snp::TrustStore& roots, EndorsementCache* cache, KdsClient* client)
      : roots_(&roots), cache_(cache), client_(client) {}

  bool online() const { return client_ != nullptr; }

  Result<Fetched<x509::Certificate>> vcek(const VcekRequest& request);
  Result<Fetched<std::vector<x509::Certificate>>> chain(snp::Product product, Line line);
  Result<Fetched<x509::Crl>> crl(snp::Product product, Line line);

 private:
  Result<Fetched<Bytes>> get(const CacheEntry& entry, const std::string& path);

  const snp::TrustStore* roots_;
  EndorsementCache* cache_;
  KdsClient* client_;
};

}  // namespace veritee::endorse
