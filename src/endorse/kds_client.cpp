// KDS requests with rate limiting, Retry-After, bounded backoff and coalescing (AMD doc 57230,
// section 4 "KDS Interface"; DESIGN.md 3.6: KDS answers HTTP 429 to eager clients).
#include "veritee/endorse/kds_client.hpp"

#include <algorithm>
#include <thread>
#include <utility>

namespace veritee::endorse {

namespace {
std::string seconds_text(std::chrono::milliseconds ms) {
  const auto tenths = (ms.count() + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}
}  // namespace

KdsClient::KdsClient(KdsOptions options)
    : options_(std::move(options)),
      limiter_(options_.min_interval),
      rng_(std::random_device{}()) {
  while (options_.base_url.ends_with('/')) options_.base_url.pop_back();
  // An empty user_agent is filled by http_get on the first request (default_user_agent asks
  // libcurl its version, which would load libcurl for a client that never fetches).
  if (options_.retry.max_attempts < 1) options_.retry.max_attempts = 1;
}

std::string KdsClient::url_for(const std::string& path) const { return options_.base_url + path; }

void KdsClient::notify(KdsEvent event) const {
  if (options_.observer) options_.observer(event);
}

void KdsClient::sleep_for(std::chrono::milliseconds wait, const std::string& url,
                          std::string why) {
  if (wait.count() <= 0) return;
  notify({KdsEvent::Kind::kWait, url, 0, 0, wait,
          "waiting " + seconds_text(wait) + " before GET " + url + ": " + std::move(why)});
  std::this_thread::sleep_for(wait);
}

Result<Bytes> KdsClient::get(const std::string& path) {
  auto response = get_url(url_for(path));
  if (!response) return std::unexpected(response.error());
  return std::move(response->body);
}

Result<HttpResponse> KdsClient::get_response(const std::string& path) { return get_url(url_for(path)); }

Result<HttpResponse> KdsClient::get_url(const std::string& url) {
  std::promise<Result<HttpResponse>> promise;
  std::shared_future<Result<HttpResponse>> shared;
  {
    std::lock_guard lock(mutex_);
    if (auto it = inflight_.find(url); it != inflight_.end()) {
      shared = it->second;
    } else {
      inflight_.emplace(url, promise.get_future().share());
    }
  }
  if (shared.valid()) return shared.get();  // another thread is fetching this object

  bool probe = false;
  Result<HttpResponse> result = HttpResponse{};
  if (auto admitted = admit(url, probe); !admitted) {
    result = std::unexpected(admitted.error());
  } else {
    result = fetch(url);
  }
  {
    std::lock_guard lock(mutex_);
    inflight_.erase(url);
    record(result, probe);
  }
  promise.set_value(result);
  return result;
}

bool not_sent(const Error& error) {
  return error.code == Errc::kNetwork && error.message.ends_with(" not sent");
}

bool KdsClient::circuit_open() const {
  if (options_.circuit_failures <= 0) return false;
  std::lock_guard lock(mutex_);
  return consecutive_failures_ >= options_.circuit_failures;
}

// Whether a request may go out now: the circuit is closed, or its cooldown is over and no other
// caller is probing. Ok means "go"; an error is the immediate answer.
Result<void> KdsClient::admit(const std::string& url, bool& probe) {
  if (options_.circuit_failures <= 0) return {};
  std::lock_guard lock(mutex_);
  if (consecutive_failures_ < options_.circuit_failures) return {};
  const auto now = std::chrono::steady_clock::now();
  if (now >= open_until_ && !probing_) {
    probing_ = true;  // this caller probes; the others keep failing fast until it is done
    probe = true;
    return {};
  }
  ++short_circuited_;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(open_until_ - now);
  return fail(Errc::kNetwork,
              options_.service_name + " is unavailable (" + std::to_string(consecutive_failures_) +
                  " consecutive failures, last: " + last_failure_ + "); not asking again for " +
                  seconds_text(std::max(left, std::chrono::milliseconds(0))) + ": GET " + url +
                  " not sent");
}

// Updates the circuit with a request's outcome (mutex_ held).
void KdsClient::record(const Result<HttpResponse>& result, bool probe) {
  if (options_.circuit_failures <= 0) return;
  if (probe) probing_ = false;
  const bool refused = !result && not_sent(result.error());
  if (refused) return;  // short-circuited or rate-limited: no request went out
  if (result || result.error().code != Errc::kNetwork) {
    consecutive_failures_ = 0;  // 200, or 404: KDS answers
    return;
  }
  ++consecutive_failures_;
  last_failure_ = result.error().message;
  if (consecutive_failures_ >= options_.circuit_failures) {
    open_until_ = std::chrono::steady_clock::now() + options_.circuit_cooldown;
  }
}

Result<HttpResponse> KdsClient::fetch(const std::string& url) {
  const std::string host = host_of(url);
  const RetryPolicy& retry = options_.retry;
  std::string last;
  for (int attempt = 1; attempt <= retry.max_attempts; ++attempt) {
    // A caller that will not wait takes a slot only when one is free now (a refused caller
    // reserving one would push every later request further out).
    const bool waits = options_.max_rate_wait.count() < 0;
    auto local = waits ? std::optional(limiter_.reserve(host))
                       : limiter_.reserve_within(host, options_.max_rate_wait);
    if (!local) {
      return fail(Errc::kNetwork, "client-side rate limit to " + host + " has no free slot within " +
                                      seconds_text(options_.max_rate_wait) + ": GET " + url + " not sent");
    }
    auto due = *local;
    if (options_.shared_budget) {
      if (auto shared = options_.shared_budget(host)) due = std::max(due, *shared);
    }
    if (!waits && due > options_.max_rate_wait) {
      return fail(Errc::kNetwork, "client-side rate limit to " + host + " would wait " +
                                      seconds_text(due) + ": GET " + url + " not sent");
    }
    sleep_for(due, url,
              "client-side rate limit of one request per " +
                  seconds_text(options_.min_interval) + " to " + host);
    notify({KdsEvent::Kind::kRequest, url, 0, 0, {}, "GET " + url});
    ++sent_;
    auto response = http_get(url, options_.http);
    std::chrono::milliseconds wait{0};
    std::string why;
    if (!response) {
      last = response.error().message;
      notify({KdsEvent::Kind::kFailure, url, 0, 0, {}, last});
      why = "the last attempt failed";
    } else {
      const long status = response->status;
      notify({KdsEvent::Kind::kResponse, url, status, response->body.size(), {},
              "GET " + url + " -> HTTP " + std::to_string(status) + " (" +
                  std::to_string(response->body.size()) + " bytes)"});
      if (status == 200) return std::move(*response);
      if (status == 404) {
        return fail(Errc::kEndorsementMissing, options_.service_name + " has no such object: GET " +
                                                   url + " answered HTTP 404 Not Found");
      }
      last = "HTTP " + std::to_string(status);
      if (!retryable_status(status)) {
        return fail(Errc::kNetwork, "GET " + url + " answered " + last + " (not retried)");
      }
      if ((status == 429 || status == 503) && response->retry_after.count() > 0) {
        wait = response->retry_after;
        last += " with Retry-After: " + std::to_string(response->retry_after.count());
        if (wait > retry.max_retry_after) {
          return fail(Errc::kNetwork,
                      "GET " + url + " answered " + last + " s, longer than the " +
                          seconds_text(retry.max_retry_after) +
                          " veritee waits; try again later or use a cache or bundle");
        }
        // Other requests to this host wait too.
        limiter_.hold(host, RateLimiter::Clock::now() + wait);
        why = options_.service_name + " answered " + last + " s";
      } else {
        why = options_.service_name + " answered " + last;
      }
    }
    if (attempt == retry.max_attempts) break;
    if (wait.count() == 0) {
      std::lock_guard lock(mutex_);
      wait = backoff_delay(retry, attempt, rng_);
    }
    sleep_for(wait, url, why + " (attempt " + std::to_string(attempt) + " of " +
                             std::to_string(retry.max_attempts) + ")");
  }
  return fail(Errc::kNetwork, "GET " + url + " failed after " +
                                  std::to_string(retry.max_attempts) + " attempts; last: " + last);
}

}  // namespace veritee::endorse
