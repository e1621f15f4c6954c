#include "veritee/rats/kds_metrics.hpp"

#include <cstdio>
#include <sstream>

namespace veritee::rats {
namespace {

std::string outcome_of(const endorse::KdsEvent& e) {
  if (e.kind == endorse::KdsEvent::Kind::kFailure) return "transport_error";
  if (e.status == 200) return "ok";
  if (e.status == 404) return "not_found";
  if (e.status == 429) return "rate_limited";
  if (e.status >= 500) return "server_error";
  return "other_status";
}

}  // namespace

void KdsMetrics::observe(const endorse::KdsEvent& e) {
  using Kind = endorse::KdsEvent::Kind;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (e.kind == Kind::kRequest) {
    if (started_.size() < 1024) started_[e.url] = now;
    return;
  }
  if (e.kind != Kind::kResponse && e.kind != Kind::kFailure) return;
  ++outcomes_[outcome_of(e)];
  auto it = started_.find(e.url);
  if (it == started_.end()) return;
  const double seconds = std::chrono::duration<double>(now - it->second).count();
  started_.erase(it);
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets_[i];
  }
}

std::string KdsMetrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  const std::string& p = prefix_;
  out << "# HELP " << p << "_responses_total " << service_
      << " requests by outcome (ok, not_found, rate_limited, server_error, other_status, transport_error).\n"
      << "# TYPE " << p << "_responses_total counter\n";
  for (const auto& [outcome, n] : outcomes_) out << p << "_responses_total{outcome=\"" << outcome << "\"} " << n << '\n';
  out << "# HELP " << p << "_request_seconds Time from sending a request to " << service_
      << " to its response or failure.\n"
      << "# TYPE " << p << "_request_seconds histogram\n";
  char num[32];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    std::snprintf(num, sizeof num, "%g", kBuckets[i]);
    out << p << "_request_seconds_bucket{le=\"" << num << "\"} " << buckets_[i] << '\n';
  }
  std::snprintf(num, sizeof num, "%.9g", sum_);
  out << p << "_request_seconds_bucket{le=\"+Inf\"} " << count_ << '\n'
      << p << "_request_seconds_sum " << num << '\n'
      << p << "_request_seconds_count " << count_ << '\n';
  return out.str();
}

std::string KdsMetrics::render(const endorse::KdsClient& client) const {
  const std::string& p = prefix_;
  return render() +
         "# HELP " + p + "_requests_total HTTP requests sent to " + service_ + ".\n"
         "# TYPE " + p + "_requests_total counter\n" +
         p + "_requests_total " + std::to_string(client.requests_sent()) + "\n"
         "# HELP " + p + "_short_circuited_total " + service_ + " requests refused at once (circuit open).\n"
         "# TYPE " + p + "_short_circuited_total counter\n" +
         p + "_short_circuited_total " + std::to_string(client.requests_short_circuited()) + "\n"
         "# HELP " + p + "_circuit_open 1 while " + service_ + " requests are refused without being sent.\n"
         "# TYPE " + p + "_circuit_open gauge\n" +
         p + "_circuit_open " + (client.circuit_open() ? "1" : "0") + "\n";
}

}  // namespace veritee::rats
