// Prometheus lines for the service's AMD KDS client: requests by outcome and their latency
// (observed through KdsOptions::observer, so the client itself stays unaware of metrics).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "veritee/endorse/kds_client.hpp"

namespace veritee::rats {

class KdsMetrics {
 public:
  static constexpr std::array<double, 9> kBuckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  // Feed every KdsEvent here (kRequest starts a timing, kResponse/kFailure end it).
  void observe(const endorse::KdsEvent& event);
  // veritee_kds_responses_total{outcome} and veritee_kds_request_seconds.
  std::string render() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> started_;  // by URL
  std::map<std::string, std::uint64_t> outcomes_;
  std::array<std::uint64_t, kBuckets.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace veritee::rats
