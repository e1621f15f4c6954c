#include "endorsement_options.hpp"

#include <cstdlib>
#include <iostream>

#include "veritee/common/check.hpp"

namespace veritee::cli {

namespace {

std::chrono::milliseconds from_seconds(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

// One line per event, for a user watching a slow or rate-limited fetch.
void print_event(const endorse::KdsEvent& event) {
  switch (event.kind) {
    case endorse::KdsEvent::Kind::kRequest:
      std::cerr << "veritee: GET " << event.url << '\n';
      break;
    case endorse::KdsEvent::Kind::kResponse:
      std::cerr << "veritee: HTTP " << event.status << " (" << event.bytes << " bytes) from "
                << event.url << '\n';
      break;
    case endorse::KdsEvent::Kind::kWait:
    case endorse::KdsEvent::Kind::kFailure:
      std::cerr << "veritee: " << event.message << '\n';
      break;
  }
}

}  // namespace

void add_endorsement_flags(CLI::App& cmd, EndorsementFlags& f, unsigned which) {
  if (which & kNetworkFlags) {
    cmd.add_option("--kds-url", f.kds_url,
                   "AMD KDS base URL or a mirror (default $VERITEE_KDS_URL, else "
                   "https://kdsintf.amd.com)");
    cmd.add_option("--pcs-url", f.pcs_url,
                   "DCAP quotes: Intel PCS base URL or a PCCS/mirror speaking its v4 paths "
                   "(default $VERITEE_PCS_URL, else https://api.trustedservices.intel.com)");
    cmd.add_option("--cache-dir", f.cache_dir,
                   "endorsement cache (default $VERITEE_CACHE_DIR, else $XDG_CACHE_HOME/veritee, "
                   "else ~/.cache/veritee)");
    cmd.add_flag("--offline", f.offline,
                 "never use the network: endorsements come from the certificate table, files, "
                 "--endorsements and the cache only");
    cmd.add_option("--rate-limit", f.rate_limit,
                   "seconds between requests to one KDS host (default 5)")
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--kds-timeout", f.timeout, "seconds allowed per KDS request (default 30)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--max-wait", f.max_wait,
                   "longest Retry-After to wait for after HTTP 429/503, seconds (default 120)")
        ->check(CLI::NonNegativeNumber);
  }
  if (which & kCrlFlag) {
    cmd.add_flag("--no-crl", f.no_crl, "do not fetch or check the CRL (reported as skipped)");
  }
  if (which & kBundleFlag) {
    cmd.add_option("--endorsements", f.bundle_dir,
                   "an offline bundle directory written by `veritee bundle`");
  }
}

Result<std::unique_ptr<EndorsementSources>> EndorsementSources::open(
    const EndorsementFlags& f, const snp::TrustStore& roots, bool use_cache, bool use_network) {
  auto sources = std::make_unique<EndorsementSources>();
  sources->roots_ = &roots;
  auto notify = [](const std::string& message) { std::cerr << "veritee: " << message << '\n'; };
  if (!f.bundle_dir.empty()) {
    if (!std::filesystem::is_directory(f.bundle_dir)) {
      return fail(Errc::kIo, "--endorsements " + f.bundle_dir + ": not a directory");
    }
    sources->bundle_.emplace(f.bundle_dir, endorse::CacheOptions{true, false, {}, notify});
  }
  if (use_cache) {
    Result<std::filesystem::path> dir = f.cache_dir.empty()
                                            ? endorse::EndorsementCache::default_dir()
                                            : Result<std::filesystem::path>(f.cache_dir);
    if (dir) {
      endorse::CacheOptions options{false, true, {}, notify};
      options.shared = f.shared_tier;
      if (f.service) {  // a request waits briefly for another process, then goes on without
        options.lock_timeout = std::chrono::milliseconds(2'000);
        options.fetch_wait = std::chrono::milliseconds(2'000);
      }
      sources->cache_.emplace(*dir, std::move(options));
    } else {
      notify(dir.error().message + "; going on without a cache");
    }
  }
  if (use_network && !f.offline) {
    const char* env = std::getenv("VERITEE_KDS_URL");
    sources->client_.emplace(client_options(f,
                                            !f.kds_url.empty()       ? f.kds_url
                                            : env && *env != '\0' ? std::string(env)
                                                                  : std::string(endorse::kDefaultBaseUrl),
                                            "KDS"));
  }
  return sources;
}

endorse::KdsOptions client_options(const EndorsementFlags& f, std::string base_url,
                                   std::string service_name) {
  endorse::KdsOptions options;
  options.base_url = std::move(base_url);
  options.service_name = std::move(service_name);
  options.min_interval = from_seconds(f.rate_limit);
  options.http.total_timeout = from_seconds(f.timeout);
  options.http.connect_timeout = std::min(options.http.total_timeout, from_seconds(10));
  options.retry.max_retry_after = from_seconds(f.max_wait);
  // A service's stderr is its JSON log: no plain-text progress lines there (its request log,
  // CRL keeper lines and metrics say what KDS did).
  const bool print = !f.service;
  if (print) options.observer = print_event;
  options.shared_budget = f.shared_budget;
  if (f.kds_observer) {
    options.observer = [print, also = f.kds_observer](const endorse::KdsEvent& e) {
      if (print) print_event(e);
      also(e);
    };
  }
  if (f.service) {
    options.retry.max_attempts = 1;  // no per-request retries
    options.circuit_failures = 1;    // the first failure opens the circuit for 30 s
    options.max_rate_wait = std::chrono::milliseconds(0);
    options.http.total_timeout = std::min(options.http.total_timeout, std::chrono::milliseconds(10'000));
    options.http.connect_timeout = std::min(options.http.connect_timeout, std::chrono::milliseconds(3'000));
  }
  return options;
}

void EndorsementSources::say_where_cached() const {
  if (client_ && client_->requests_sent() > 0 && cache_) {
    std::cerr << "veritee: endorsement cache: " << cache_->dir().string() << '\n';
  }
}

int endorsement_exit_code(const Error& error) {
  return error.code == Errc::kInvalidInput || error.code == Errc::kTruncated ? kExitUsage
                                                                             : kExitEndorsement;
}

}  // namespace veritee::cli
