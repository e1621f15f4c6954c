// Service metrics in the Prometheus text exposition format (version 0.0.4): requests by path
// and status, results by EAR status, the verification latency histogram, and where
// endorsements came from (KDS fetches, cache hits).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "veritee/endorse/endorsement_fetcher.hpp"

namespace veritee::rats {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  void request(const std::string& path, int status);
  void verification(std::chrono::nanoseconds elapsed, const std::string& ear_status);
  // One endorsement piece ("VCEK", "chain", "CRL") from a source kind ("request", "kds",
  // "cache", "bundle", "pinned", "none").
  void endorsement(const std::string& piece, const std::string& source);

  // The exposition text; `extra` lines (e.g. the KDS client's request count) are appended.
  std::string render(const std::string& extra = {}) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::map<std::string, std::uint64_t> results_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> endorsements_;
  std::array<std::uint64_t, kBuckets.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// "kds", "cache", "bundle", "request", "pinned" or "none": the metric label of an origin.
std::string endorsement_source_kind(endorse::Origin origin);

}  // namespace veritee::rats
