// The endorsement flags `verify`, `fetch` and `bundle` share (--kds-url, --cache-dir, --offline,
// --no-crl, --endorsements DIR, --rate-limit, --kds-timeout), and the cache, KDS client and
// bundle they open. Progress and diagnostics go to stderr.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "exit_codes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/endorsement_fetcher.hpp"
#include "veritee/endorse/endorsement_resolver.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/snp/trust_store.hpp"

namespace veritee::cli {

struct EndorsementFlags {
  std::string kds_url;      // --kds-url, else $VERITEE_KDS_URL, else AMD's
  std::string cache_dir;    // --cache-dir, else $VERITEE_CACHE_DIR, $XDG_CACHE_HOME/veritee, ...
  std::string bundle_dir;   // --endorsements DIR
  bool offline = false;     // --offline: never use the network
  bool no_crl = false;      // --no-crl
  double rate_limit = 5.0;  // --rate-limit SECONDS between requests to one KDS host
  double timeout = 30.0;    // --kds-timeout SECONDS per request
  double max_wait = 120.0;  // --max-wait SECONDS: the longest Retry-After veritee sits through
  bool service = false;     // a long-running service: no retries, a circuit breaker, no waits
  std::string pcs_url;      // --pcs-url, else $VERITEE_PCS_URL, else Intel's PCS (DCAP collateral)
  endorse::KdsObserver kds_observer;  // also told every KDS event (e.g. the service's metrics)
  // Fleet mode (`serve --redis`, fleet_options.hpp): the cache's shared tier and the KDS budget.
  std::shared_ptr<endorse::SharedTier> shared_tier;
  std::function<std::optional<std::chrono::milliseconds>(const std::string&)> shared_budget;
};

enum EndorsementFlagSet : unsigned {
  kNetworkFlags = 1,  // --kds-url --cache-dir --offline --rate-limit --kds-timeout --max-wait
  kCrlFlag = 2,       // --no-crl
  kBundleFlag = 4,    // --endorsements DIR
};

void add_endorsement_flags(CLI::App& cmd, EndorsementFlags& flags, unsigned which);

// The client options the flags ask for (rate limit, timeouts, Retry-After bound, the service's
// circuit), for a client of `base_url` named `service_name` in messages ("KDS", "Intel PCS").
endorse::KdsOptions client_options(const EndorsementFlags& flags, std::string base_url,
                                   std::string service_name);

// The sources the flags name, opened: a cache (unless it cannot be located), a KDS client
// (unless offline) and a read-only bundle (with --endorsements).
class EndorsementSources {
 public:
  static Result<std::unique_ptr<EndorsementSources>> open(const EndorsementFlags& flags,
                                                          const snp::TrustStore& roots,
                                                          bool use_cache, bool use_network);

  endorse::EndorsementCache* cache() { return cache_ ? &*cache_ : nullptr; }
  endorse::KdsClient* client() { return client_ ? &*client_ : nullptr; }
  endorse::EndorsementCache* bundle() { return bundle_ ? &*bundle_ : nullptr; }
  endorse::EndorsementResolver resolver() {
    return endorse::EndorsementResolver(*roots_, bundle(), cache(), client());
  }
  endorse::EndorsementFetcher fetcher() { return endorse::EndorsementFetcher(*roots_, cache(), client()); }
  // After KDS was asked: says on stderr which cache now holds what it served.
  void say_where_cached() const;

 private:
  const snp::TrustStore* roots_ = nullptr;
  std::optional<endorse::EndorsementCache> cache_;
  std::optional<endorse::KdsClient> client_;
  std::optional<endorse::EndorsementCache> bundle_;
};

// Exit code for an endorsement error: 3, or 2 for unreadable input.
int endorsement_exit_code(const Error& error);

}  // namespace veritee::cli
