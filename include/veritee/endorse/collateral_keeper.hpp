// The Intel PCS collateral a long-running verifier holds (docs/service.md, "Intel PCS collateral
// (DCAP quotes)"), the DCAP counterpart of crl_keeper.hpp: the global pieces (QE Identity per TEE, the
// PCK CRL per CA, the root CA CRL) and TCB Info per TEE and FMSPC, kept in memory and in the
// cache until their nextUpdate and refreshed in the background before they expire (on the
// schedule of refresh_schedule.hpp), so a request never waits for PCS.
//
// Pieces are kept when they are asked for (lookup()) or found in the cache at load(); TCB Infos
// are bounded (max_tcb_infos: past it the least recently asked for goes, one not current first).
// lookup() answers at once: the piece held, or the cache's (a local read), or an error -- and a
// piece not held is fetched by the background thread, so a later request finds it. A failed
// fetch is retried on one schedule however many requests ask (the client's circuit opens on
// failures: kds_client.hpp). Without a client (offline) nothing is fetched.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/time.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/endorse/pcs.hpp"
#include "veritee/endorse/refresh_schedule.hpp"

namespace veritee::endorse {

struct CollateralKeeperOptions {
  std::function<veritee::TimePoint()> clock{};     // the schedule's; the system clock when empty
  // When pieces must be current (a verifier with a fixed verification time); `clock` when empty.
  std::function<veritee::TimePoint()> valid_at{};
  RefreshTiming timing{};
  std::size_t max_tcb_infos = 64;
  std::function<void(const std::string&)> notify{};  // "holding the TDX QE Identity ..." and failures
};

// A piece held: the checked bytes of its cache entry (pcs.hpp) and where they came from.
struct HeldPiece {
  Bytes bytes;
  PcsValidity validity;
  Origin origin = Origin::kCache;
  std::string source;  // "cache /path/objects/…" or "PCS https://…"
  std::uint64_t serial = 0;  // names these bytes among every piece this keeper took (1, 2, …)
};

// One kept piece as readiness reports it.
struct CollateralStatus : HeldStatus {
  PcsPiece piece = PcsPiece::kTcbInfo;
  std::string what{};              // its cache entry's: "TDX QE Identity", "TCB Info for TDX FMSPC …"
  std::optional<tdx::Tee> tee{};   // TCB Info and QE Identity
  std::string fmspc{};             // TCB Info, lowercase hex
  std::optional<tdx::PckCa> ca{};  // PCK CRL
  bool global = true;              // all but TCB Info
};

class CollateralKeeper {
 public:
  // `cache` and `client` may be null (no cache; offline); both must outlive the keeper.
  // `root_ca_crl_url`: pcs_root_ca_crl_url() of the client's base URL.
  CollateralKeeper(const x509::Certificate& root, EndorsementCache* cache, KdsClient* client,
                   std::string root_ca_crl_url, CollateralKeeperOptions options = {});
  ~CollateralKeeper();  // stops the thread
  CollateralKeeper(const CollateralKeeper&) = delete;
  CollateralKeeper& operator=(const CollateralKeeper&) = delete;

  // Every DCAP piece the cache holds (the global ones and up to max_tcb_infos TCB Infos) is kept;
  // the current ones are taken into memory. Never blocks on the network.
  void load();
  // One pass: every kept piece that is missing, expired or due is looked up in the cache and,
  // when online and still due, fetched. Returns when the pass is done.
  void refresh_due();
  // load(), then refresh_due() whenever a piece is due or asked for, on a background thread.
  void start();
  void stop();  // idempotent; waits for a fetch in progress (requests have a timeout)

  // The piece of `request` current at `at` (the keeper's valid_at when empty), at once: held, or
  // from the cache. Otherwise Errc::kNetwork (not held; fetched in the background, so a later
  // request finds it), or Errc::kEndorsementMissing (PCS has none: it answered 404; or offline).
  Result<HeldPiece> lookup(PcsPiece piece, const tdx::CollateralRequest& request,
                           std::optional<veritee::TimePoint> at = std::nullopt);

  // The collateral PcsFetcher assembled from four held pieces (by their serials, in the order
  // TCB Info, QE Identity, PCK CRL, root CA CRL): a service asks for the same platforms'
  // collateral again and again, and merging and parsing it again would cost more than the
  // quote's verification. Bounded (full, it starts again empty).
  std::optional<FetchedCollateral> assembled(const std::array<std::uint64_t, 4>& serials) const;
  void remember(const std::array<std::uint64_t, 4>& serials, const FetchedCollateral& collateral);

  std::vector<CollateralStatus> status() const;
  // Whether every global piece kept is current (TCB Infos, per FMSPC, are not counted).
  bool globals_current() const;
  bool online() const { return client_ != nullptr; }

 private:
  struct Slot {
    PcsPiece piece = PcsPiece::kTcbInfo;
    tdx::CollateralRequest request{};  // only what the piece depends on
    std::optional<HeldPiece> held{};
    RetryState state{};
    Errc last_error = Errc::kNetwork;
    veritee::TimePoint last_asked{};
  };
  veritee::TimePoint now() const;
  veritee::TimePoint valid_now() const;
  HeldPiece held_piece(Bytes bytes, PcsValidity validity, Origin origin, std::string source);
  PcsSource source_of(const Slot& slot, veritee::TimePoint valid) const;
  bool take_from_cache(Slot& slot, const PcsSource& source, veritee::TimePoint valid);
  void failed(Slot& slot, veritee::TimePoint at, std::string problem, bool deferred, Errc code);
  void attempt(const std::string& key, veritee::TimePoint at);
  void commit(const std::string& key, Slot slot);
  // The slot for a piece, created (due now) when absent; evicts a TCB Info past the bound.
  Slot& keep(const std::string& key, PcsPiece piece, const tdx::CollateralRequest& request, bool& created);
  veritee::TimePoint next_due() const;
  veritee::TimePoint next_attempt_after(const HeldPiece& held, veritee::TimePoint at, veritee::TimePoint valid) const;

  const x509::Certificate* root_;
  EndorsementCache* cache_;
  KdsClient* client_;
  std::string root_ca_crl_url_;
  CollateralKeeperOptions options_;
  mutable std::mutex mutex_;          // slots_
  std::map<std::string, Slot> slots_;  // by cache entry key
  std::mutex pass_mutex_;             // one refresh pass at a time
  std::atomic<std::uint64_t> serials_{0};
  mutable std::mutex assembled_mutex_;  // assembled_
  std::map<std::array<std::uint64_t, 4>, FetchedCollateral> assembled_;
  RefreshThread thread_;              // last: stopped first
};

}  // namespace veritee::endorse
