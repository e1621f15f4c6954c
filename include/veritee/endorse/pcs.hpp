// DCAP collateral from Intel's Provisioning Certification Service (PCS, API v4) or a PCCS /
// mirror speaking the same paths, through the same verified cache, rate limit, retries and
// circuit as AMD KDS (kds_client.hpp, endorsement_cache.hpp). Intel "SGX and TDX PCS API" v4:
//
//   GET /sgx|tdx/certification/v4/tcb?fmspc=<FMSPC>   TCB Info; issuer chain in the
//       TCB-Info-Issuer-Chain header (v3 and PCCS: SGX-TCB-Info-Issuer-Chain)
//   GET /sgx|tdx/certification/v4/qe/identity          QE Identity (TD_QE for tdx);
//       SGX-Enclave-Identity-Issuer-Chain
//   GET /sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der   PCK CRL;
//       SGX-PCK-CRL-Issuer-Chain
//   root CA CRL: Intel PCS has no endpoint for it; it is at the CRL distribution point of the
//       Intel SGX Root CA (kIntelRootCaCrlUrl). A PCCS serves it at /sgx/certification/v4/rootcacrl.
//
// Issuer chains come URL-encoded (PEM). Each piece is checked (tdx/collateral_check.hpp) before
// it is stored or used; a cache entry holds the piece in the members of the collateral JSON
// (docs/dcap.md), e.g. {"tcb_info_issuer_chain", "tcb_info", "tcb_info_signature"}, the
// signed text exactly as PCS served it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/endorsement_resolver.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::endorse {

inline constexpr std::string_view kDefaultPcsUrl = "https://api.trustedservices.intel.com";
inline constexpr std::string_view kIntelRootCaCrlUrl =
    "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
inline constexpr std::string_view kPcsRootCaCrlPath = "/sgx/certification/v4/rootcacrl";

// Response headers (RFC 9110: names are case-insensitive; http_get lower-cases them).
inline constexpr std::string_view kTcbInfoIssuerChainHeader = "tcb-info-issuer-chain";
inline constexpr std::string_view kSgxTcbInfoIssuerChainHeader = "sgx-tcb-info-issuer-chain";
inline constexpr std::string_view kQeIdentityIssuerChainHeader = "sgx-enclave-identity-issuer-chain";
inline constexpr std::string_view kPckCrlIssuerChainHeader = "sgx-pck-crl-issuer-chain";

std::string pcs_tcb_path(const tdx::CollateralRequest& request);  // FMSPC in upper case
std::string pcs_qe_identity_path(tdx::Tee tee);
std::string pcs_pck_crl_path(tdx::PckCa ca);
// Where the root CA CRL is fetched for a PCS base URL: Intel's CRL distribution point for
// Intel's PCS, `base` + kPcsRootCaCrlPath for anything else (a PCCS, a mirror, a test).
std::string pcs_root_ca_crl_url(std::string_view base_url);

// Cache entries ("dcap/tcb/tdx/b0c06f000000", "dcap/qe/tdx", "dcap/pckcrl/platform",
// "dcap/rootcacrl"). A piece is stale once its nextUpdate is past at `at` (the verification
// time), or at the cache's clock when `at` is empty.
CacheEntry tcb_info_entry(const tdx::CollateralRequest& request, const x509::Certificate& root,
                          std::optional<veritee::TimePoint> at = std::nullopt);
CacheEntry qe_identity_entry(tdx::Tee tee, const x509::Certificate& root,
                             std::optional<veritee::TimePoint> at = std::nullopt);
CacheEntry pck_crl_entry(tdx::PckCa ca, const x509::Certificate& root,
                         std::optional<veritee::TimePoint> at = std::nullopt);
CacheEntry root_ca_crl_entry(const x509::Certificate& root,
                             std::optional<veritee::TimePoint> at = std::nullopt);

// The four pieces of a quote's collateral.
enum class PcsPiece { kTcbInfo, kQeIdentity, kPckCrl, kRootCaCrl };
std::string_view to_string(PcsPiece piece);  // "TCB Info", "QE Identity", "PCK CRL", "root CA CRL"

// One piece for a request: its cache entry (check and staleness as above), the URL PCS serves it
// at (`base_url` + its path; the root CA CRL at `root_ca_crl_url`), and how a PCS response
// becomes the stored piece (the members of the collateral JSON, the signed text as served).
struct PcsSource {
  PcsPiece piece = PcsPiece::kTcbInfo;
  CacheEntry entry;
  std::string url;
  std::function<Result<Bytes>(const HttpResponse&)> from_response;
};
PcsSource pcs_source(PcsPiece piece, const tdx::CollateralRequest& request, const x509::Certificate& root,
                     std::string_view base_url, std::string_view root_ca_crl_url,
                     std::optional<veritee::TimePoint> at = std::nullopt);

// When a stored piece (checked bytes of its cache entry) was issued and when its issuer
// promises the next one: issueDate / nextUpdate of TCB Info and QE Identity, thisUpdate /
// nextUpdate of a CRL (none when the CRL has no nextUpdate).
struct PcsValidity {
  veritee::TimePoint issued;
  std::optional<veritee::TimePoint> next_update;
  bool current_at(veritee::TimePoint t) const { return issued <= t && next_update && t <= *next_update; }
};
Result<PcsValidity> pcs_validity(PcsPiece piece, ByteView stored);

class CollateralKeeper;  // collateral_keeper.hpp

struct FetchedCollateral {
  tdx::Collateral collateral;
  std::string json;                     // the collateral JSON (docs/dcap.md), as --collateral reads
  std::vector<Provenance> provenance;   // piece: "TCB Info", "QE Identity", "PCK CRL", "root CA CRL"
};

// The collateral a quote needs, piece by piece from the first source that has it: an offline
// bundle (read-only), the cache, Intel PCS (`client`; null is --offline). Any pointer may be
// null; all must outlive the fetcher.
class PcsFetcher {
 public:
  PcsFetcher(const x509::Certificate& root, EndorsementCache* bundle, EndorsementCache* cache,
             KdsClient* client, std::string root_ca_crl_url,
             std::optional<veritee::TimePoint> at = std::nullopt)
      : root_(&root), bundle_(bundle), cache_(cache), client_(client),
        root_ca_crl_url_(std::move(root_ca_crl_url)), at_(at) {}

  // Errc::kEndorsementMissing (404, nothing cached offline), kEndorsementInvalid (a piece
  // failed its check: not stored) or kNetwork (PCS unreachable, 5xx, 429 past --max-wait).
  Result<FetchedCollateral> collateral(const tdx::CollateralRequest& request);

  // Adds the pieces of `request` to `bundle` (from this fetcher's sources). Returns the keys.
  Result<std::vector<std::string>> add_to_bundle(EndorsementCache& bundle,
                                                 const tdx::CollateralRequest& request);

  // A service's pieces: after the bundle, the ones `keeper` holds (never a fetch at request
  // time: a piece not held is an error at once, and the keeper fetches it in the background).
  // The keeper must outlive the fetcher.
  void hold(CollateralKeeper* keeper) { keeper_ = keeper; }

 private:
  std::vector<PcsSource> pieces(const tdx::CollateralRequest& request) const;
  // One piece's checked bytes, and where they came from.
  struct Got {
    Bytes bytes;
    std::string source;
    Origin origin;
    std::uint64_t serial = 0;  // HeldPiece::serial when the keeper held it
  };
  Result<Got> get(const PcsSource& piece, const tdx::CollateralRequest& request);

  const x509::Certificate* root_;
  EndorsementCache* bundle_;
  EndorsementCache* cache_;
  KdsClient* client_;
  std::string root_ca_crl_url_;
  std::optional<veritee::TimePoint> at_;
  CollateralKeeper* keeper_ = nullptr;
};

}  // namespace veritee::endorse
