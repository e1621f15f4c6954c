// AMD KDS client over libcurl (AMD doc 57230, section 4 "KDS Interface"): VCEKs, certificate
// chains and CRLs at the paths of kds_url.hpp. Requests to one host are spaced by a client-side
// rate limit; 429/503 honour Retry-After; transient failures back off exponentially with
// jitter, a bounded number of times; concurrent requests for one object share one transfer.
// The client returns bytes as served: checking them is the caller's job (endorsement_check.hpp).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/endorse/http_get.hpp"
#include "veritee/endorse/kds_url.hpp"
#include "veritee/endorse/rate_limiter.hpp"
#include "veritee/endorse/retry_policy.hpp"

namespace veritee::endorse {

// What the client is doing, for progress lines a user can act on.
struct KdsEvent {
  enum class Kind {
    kRequest,   // about to GET `url`
    kResponse,  // got `status` (and `bytes` of body) from `url`
    kWait,      // sleeping `wait` before the next request (`message` says why)
    kFailure,   // a transport error (`message`), will retry or give up
  };
  Kind kind;
  std::string url;
  long status = 0;
  std::size_t bytes = 0;
  std::chrono::milliseconds wait{0};
  std::string message;
};
using KdsObserver = std::function<void(const KdsEvent&)>;

struct KdsOptions {
  std::string base_url{kDefaultBaseUrl};  // no trailing slash needed
  HttpOptions http;
  RetryPolicy retry;
  std::chrono::milliseconds min_interval{5'000};  // per host; 0 disables the limit
  KdsObserver observer;                           // may be empty
  // Circuit breaker (a long-running service): after this many consecutive failed requests
  // (transport errors, 5xx, 429) every get() fails at once, without a request, for
  // `circuit_cooldown`; then one caller probes and the others keep failing fast until it
  // succeeds. 0: no circuit (one-shot CLI commands retry instead).
  int circuit_failures = 0;
  std::chrono::milliseconds circuit_cooldown{30'000};
  // The longest a caller sits in the client-side rate limit; longer is an immediate failure
  // (not counted by the circuit). Negative: wait as long as the limit says.
  std::chrono::milliseconds max_rate_wait{-1};
  // The service's name in messages ("KDS", "Intel PCS"): the same client serves both.
  std::string service_name{"KDS"};
  // A rate limit shared with other processes (fleet mode: endorse/fleet.hpp, FleetBudget): how
  // long until this process may send to `host`, the later of it and the local limit counts;
  // nothing when the shared budget cannot be reached (the local limit alone then).
  std::function<std::optional<std::chrono::milliseconds>(const std::string& host)> shared_budget;
};

// Whether a failed get() never sent its request: the circuit was open, or the rate limit had
// no slot for a caller that does not wait. Nothing reached the service; asking again later is
// all there is to do.
bool not_sent(const Error& error);

class KdsClient {
 public:
  explicit KdsClient(KdsOptions options);

  const std::string& base_url() const { return options_.base_url; }
  std::string url_for(const std::string& path) const;

  // GET base_url + path. 404 is Errc::kEndorsementMissing; other failures Errc::kNetwork,
  // with the URL, the last status or transport error and the number of attempts.
  Result<Bytes> get(const std::string& path);
  // The same, keeping the response headers (Intel PCS puts issuer chains there).
  Result<HttpResponse> get_response(const std::string& path);
  // The same for an absolute URL on another host (a CRL distribution point), under the same
  // rate limit, retries and circuit.
  Result<HttpResponse> get_url(const std::string& url);

  Result<Bytes> vcek(const VcekRequest& request) { return get(vcek_path(request)); }
  Result<Bytes> chain(snp::Product product, Line line) { return get(chain_path(product, line)); }
  Result<Bytes> crl(snp::Product product, Line line) { return get(crl_path(product, line)); }

  // HTTP requests actually sent (coalesced callers count once), for diagnostics and tests.
  std::size_t requests_sent() const { return sent_.load(); }
  // Requests refused at once because the circuit was open.
  std::size_t requests_short_circuited() const { return short_circuited_.load(); }
  // Whether requests are currently refused without being sent.
  bool circuit_open() const;

 private:
  Result<HttpResponse> fetch(const std::string& url);
  Result<void> admit(const std::string& url, bool& probe);
  void record(const Result<HttpResponse>& result, bool probe);
  void notify(KdsEvent event) const;
  void sleep_for(std::chrono::milliseconds wait, const std::string& url, std::string why);

  KdsOptions options_;
  RateLimiter limiter_;
  std::atomic<std::size_t> sent_{0};
  std::atomic<std::size_t> short_circuited_{0};
  // Circuit state, guarded by mutex_.
  int consecutive_failures_ = 0;
  std::chrono::steady_clock::time_point open_until_{};
  bool probing_ = false;
  std::string last_failure_;
  mutable std::mutex mutex_;  // guards inflight_, rng_ and the circuit state
  std::map<std::string, std::shared_future<Result<HttpResponse>>> inflight_;
  std::mt19937_64 rng_;
};

}  // namespace veritee::endorse
