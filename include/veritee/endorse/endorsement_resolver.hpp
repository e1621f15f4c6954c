// Finds the endorsements a report needs, from its sources in one fixed, documented order
// (docs/endorsements.md):
//
//   1. the report's own certificate table (from the guest: SNP_GET_EXT_REPORT / auxblob)
//   2. explicit files (--vcek, --chain, --crl)
//   3. an offline bundle directory (--endorsements DIR, written by `veritee bundle`)
//   4. the verified on-disk cache
//   5. AMD KDS (never with --offline)
//
// The first source that has a piece supplies it. The CA chain is never fetched: the ARK, ASK
// and ASVK of every product are pinned in the library, and an empty chain means "the pinned
// roots". Every piece's origin is recorded for the check trace.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "veritee/snp/cert_table.hpp"
#include "veritee/verify/endorsements.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/endorsement_fetcher.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/trust_store.hpp"

namespace veritee::endorse {

class CrlKeeper;  // crl_keeper.hpp

enum class CrlPolicy {
  kRequired,     // online default: a CRL must be found (fetched if need be)
  kIfAvailable,  // offline default: use a CRL from a file, bundle or the cache if there is one
  kPrefer,       // as kIfAvailable, and fetch one when online; a missing CRL is not an error
  kOff,          // --no-crl
};

// --vcek, --chain and --crl, already loaded; `*_path` names them in the trace.
struct ExplicitEndorsements {
  std::optional<x509::Certificate> signer{};
  std::string signer_path{};
  std::vector<x509::Certificate> chain{};
  std::string chain_path{};
  std::optional<x509::Crl> crl{};
  std::string crl_path{};
};

struct ResolveRequest {
  std::optional<snp::Product> product{};               // --product
  std::vector<snp::CertTableEntry> cert_table{};       // empty when the guest gave none
  ExplicitEndorsements files{};
  CrlPolicy crl = CrlPolicy::kRequired;
};

// Where one piece came from: piece is "VCEK", "VLEK", "signer", "chain" or "CRL"; origin is the
// kind of source (what code decides on); source says it for people, e.g. "certificate table",
// "file vcek.pem", "bundle DIR/v1/objects/…", "cache …", "KDS https://…", "pinned (built in)",
// or "not used: --no-crl".
struct Provenance {
  std::string piece;
  Origin origin;
  std::string source;

  bool is_crl() const { return piece == "CRL"; }
};

struct Resolution {
  Endorsements endorsements;
  std::optional<snp::Product> product;  // the product line used for lookups, when known
  std::vector<Provenance> provenance;
};

class EndorsementResolver {
 public:
  // Any of bundle, cache, client may be null (no such source); a null client is --offline.
  EndorsementResolver(const snp::TrustStore& roots, EndorsementCache* bundle,
                      EndorsementCache* cache, KdsClient* client)
      : roots_(&roots), bundle_(bundle), cache_(cache), client_(client) {}

  // Errc::kEndorsementMissing names the missing piece and what each source said about it;
  // Errc::kEndorsementInvalid when a source had it but it failed its check (e.g. KDS served a
  // VCEK for another chip). A report with no signing key (KEY_INFO SIGNING_KEY "none" or
  // reserved) resolves to no signer: the verifier fails it as evidence.
  Result<Resolution> resolve(const snp::Report& report, const ResolveRequest& request) const;

  // A long-running service: CRLs come from `keeper` (held in memory, refreshed in the
  // background; crl_keeper.hpp) after the request's files and the bundle, never from the cache
  // or KDS at request time. Null: the cache and KDS as above. `keeper` must outlive the resolver.
  void hold_crls(const CrlKeeper* keeper) { keeper_ = keeper; }

 private:
  const snp::TrustStore* roots_;
  EndorsementCache* bundle_;
  EndorsementCache* cache_;
  KdsClient* client_;
  const CrlKeeper* keeper_ = nullptr;
};

// Adds to `bundle` what verifying `report` offline needs: its VCEK, the chain and (unless
// with_crl is false) the CRL of its product line, each checked and taken from `source`
// (cache, then KDS). Returns the keys written. A VLEK-signed report is
// Errc::kEndorsementMissing after the chain and CRL are written: KDS does not serve VLEKs.
Result<std::vector<std::string>> add_to_bundle(EndorsementCache& bundle,
                                               EndorsementFetcher& source,
                                               const snp::Report& report,
                                               std::optional<snp::Product> product, bool with_crl,
                                               const snp::TrustStore& roots);

}  // namespace veritee::endorse
