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

  // `prefix` names the metrics ("veritee_kds", "veritee_pcs" for the Intel PCS client), `service`
  // the server in their help text ("AMD KDS", "Intel PCS").
  explicit KdsMetrics(std::string prefix = "veritee_kds", std::string service = "AMD KDS")
      : prefix_(std::move(prefix)), service_(std::move(service)) {}

  // Feed every KdsEvent here (kRequest starts a timing, kResponse/kFailure end it).
  void observe(const endorse::KdsEvent& event);
  // <prefix>_responses_total{outcome} and <prefix>_request_seconds.
  std::string render() const;
  // The same, then what `client` counts: <prefix>_requests_total (sent),
  // <prefix>_short_circuited_total (refused at once, circuit open) and <prefix>_circuit_open.
  std::string render(const endorse::KdsClient& client) const;

 private:
  std::string prefix_;
  std::string service_;
  mutable std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> started_;  // by URL
  std::map<std::string, std::uint64_t> outcomes_;
  std::array<std::uint64_t, kBuckets.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace veritee::rats
