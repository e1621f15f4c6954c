// The CRLs a long-running verifier holds (docs/service.md, "Readiness and CRL refresh"): one per
// product line KDS serves (Milan, Genoa, Turin) and certificate line (VCEK, VLEK), kept in
// memory and in the cache until its nextUpdate (AMD doc 57230, section 4.3) and refreshed in the
// background before it expires, so a request never waits for KDS: it uses what is held, or is
// told at once that no current CRL is held and why.
//
// load() reads what the cache has (no network). refresh_due() fetches what is missing or due
// (within the last quarter of its validity, at least a minute before nextUpdate); start() runs
// load() and then refresh_due() on one background thread. A failed fetch is retried on one
// schedule (retry_initial, doubling up to retry_max) whatever the requests do; a fetch the KDS
// client refused without sending it (its rate limit had no slot) is tried again shortly. Without
// a client (offline) the keeper re-reads the cache on the same schedule and never fetches.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/time.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/endorsement_fetcher.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/endorse/refresh_schedule.hpp"
#include "veritee/snp/trust_store.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee::endorse {

struct CrlKeeperOptions {
  // The (product, line) pairs kept; every product KDS serves, both lines, when empty.
  std::vector<std::pair<snp::Product, Line>> lines{};
  std::function<veritee::TimePoint()> clock{};  // the system clock when empty
  std::chrono::milliseconds retry_initial{30'000};  // after a failed fetch; doubles per failure
  std::chrono::milliseconds retry_max{600'000};
  std::chrono::milliseconds deferred_retry{1'000};  // after the rate limit refused to send
  std::function<void(const std::string&)> notify{};  // "fetched the Milan VCEK CRL ..." and failures
};

// A CRL held and current.
struct HeldCrl {
  x509::Crl crl;
  Origin origin = Origin::kCache;  // where it came from when it was taken (cache or KDS)
  std::string source;              // "cache /path/objects/…" or "KDS https://…/crl"
};

// One (product, line) as readiness reports it.
struct CrlLineStatus : HeldStatus {
  snp::Product product;
  Line line;
};

class CrlKeeper {
 public:
  // `cache` and `client` may be null (no cache; offline); both must outlive the keeper.
  CrlKeeper(const snp::TrustStore& roots, EndorsementCache* cache, KdsClient* client,
            CrlKeeperOptions options = {});
  ~CrlKeeper();  // stops the thread
  CrlKeeper(const CrlKeeper&) = delete;
  CrlKeeper& operator=(const CrlKeeper&) = delete;

  bool online() const { return client_ != nullptr; }

  // What the cache holds, current, taken into memory. Never blocks on the network.
  void load();
  // One pass: every line that is missing, expired or due is looked up in the cache and, when
  // online and still due, fetched. Returns when the pass is done.
  void refresh_due();
  // load(), then refresh_due() whenever the next line is due, on a background thread.
  void start();
  // Stops the thread (waits for a fetch in progress; KDS requests have a timeout). Idempotent.
  void stop();

  // The CRL held for this line if it is current now; never blocks on a fetch.
  std::optional<HeldCrl> current(snp::Product product, Line line) const;
  // Why no current CRL is held for this line ("" when one is).
  std::string why_not_current(snp::Product product, Line line) const;
  std::vector<CrlLineStatus> status() const;
  bool all_current() const;

 private:
  struct Slot {
    snp::Product product;
    Line line;
    std::optional<HeldCrl> held{};
    RetryState state{};
  };
  veritee::TimePoint now() const;
  const Slot* find(snp::Product product, Line line) const;
  void take_from_cache(Slot& slot, veritee::TimePoint now);
  void attempt(std::size_t index, veritee::TimePoint now);
  void failed(Slot& slot, veritee::TimePoint now, std::string problem, bool deferred);
  veritee::TimePoint next_due() const;

  const snp::TrustStore* roots_;
  EndorsementCache* cache_;
  KdsClient* client_;
  CrlKeeperOptions options_;
  RefreshTiming timing_;
  mutable std::mutex mutex_;  // slots_
  std::vector<Slot> slots_;
  std::mutex pass_mutex_;     // one refresh pass at a time
  RefreshThread thread_;      // last: stopped first
};

}  // namespace veritee::endorse
