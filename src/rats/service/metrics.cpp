// Prometheus text exposition format 0.0.4 ("# HELP", "# TYPE", samples; histogram buckets
// cumulative with a final le="+Inf").
#include "veritee/rats/metrics.hpp"

#include <cstdio>
#include <sstream>

namespace veritee::rats {

void Metrics::request(const std::string& path, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{path, status}];
}

void Metrics::verification(std::chrono::nanoseconds elapsed, const std::string& ear_status) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard lock(mutex_);
  ++results_[ear_status];
  ++count_;
  sum_ += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets_[i];
  }
}

void Metrics::endorsement(const std::string& piece, const std::string& source) {
  std::lock_guard lock(mutex_);
  ++endorsements_[{piece, source}];
}

std::string endorsement_source_kind(endorse::Origin origin) {
  switch (origin) {
    case endorse::Origin::kFetched: return "kds";
    case endorse::Origin::kCache: return "cache";
    case endorse::Origin::kBundle: return "bundle";
    case endorse::Origin::kCertTable:
    case endorse::Origin::kFile: return "request";
    case endorse::Origin::kPinned: return "pinned";
    case endorse::Origin::kAbsent:
    case endorse::Origin::kNotUsed: return "none";
  }
  return "none";
}

namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string Metrics::render(const std::string& extra) const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP veritee_http_requests_total HTTP requests by path and status code.\n"
         "# TYPE veritee_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "veritee_http_requests_total{path=\"" << key.first << "\",code=\"" << key.second
        << "\"} " << n << '\n';
  }
  out << "# HELP veritee_results_total Attestation results issued, by EAR status.\n"
         "# TYPE veritee_results_total counter\n";
  for (const auto& [status, n] : results_) {
    out << "veritee_results_total{status=\"" << status << "\"} " << n << '\n';
  }
  out << "# HELP veritee_verification_seconds Time to appraise one piece of evidence.\n"
         "# TYPE veritee_verification_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out << "veritee_verification_seconds_bucket{le=\"" << number(kBuckets[i]) << "\"} "
        << buckets_[i] << '\n';
  }
  out << "veritee_verification_seconds_bucket{le=\"+Inf\"} " << count_ << '\n'
      << "veritee_verification_seconds_sum " << number(sum_) << '\n'
      << "veritee_verification_seconds_count " << count_ << '\n';
  out << "# HELP veritee_endorsements_total Endorsements used, by piece and where they came "
         "from (kds: fetched from AMD KDS; cache: endorsement cache hit).\n"
         "# TYPE veritee_endorsements_total counter\n";
  for (const auto& [key, n] : endorsements_) {
    out << "veritee_endorsements_total{piece=\"" << key.first << "\",source=\"" << key.second
        << "\"} " << n << '\n';
  }
  out << extra;
  return out.str();
}

}  // namespace veritee::rats
