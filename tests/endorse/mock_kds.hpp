// A loopback stand-in for AMD KDS (cpp-httplib on 127.0.0.1, a free port): serves VCEKs, chains
// and CRLs at the real paths (AMD doc 57230, section 4), checks the query parameters of every
// VCEK request against the served certificate's own extensions, counts requests, and injects
// faults (429/503 with Retry-After, 500, slow answers, truncated bodies, any body).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/x509/certificate.hpp"
#include "veritee/snp/product.hpp"

namespace veritee::test {

class LoopbackHttp;  // support/loopback_http.hpp

struct MockResponse {
  int status = 200;
  Bytes body{};                    // when empty and status is 200: the registered object
  bool use_registered = true;      // false: send `body` even if empty
  std::string retry_after{};       // Retry-After header value, when not empty
  std::chrono::milliseconds delay{0};
  bool truncate = false;           // announce the full length, send half, close
};

class MockKds {
 public:
  MockKds();
  ~MockKds();
  MockKds(const MockKds&) = delete;
  MockKds& operator=(const MockKds&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"

  // Serves `vcek` at /vcek/v1/{product}/{hwid}; a request whose SPL parameters differ from the
  // certificate's extensions gets 404 and is recorded in errors().
  void add_vcek(snp::Product product, const x509::Certificate& vcek);
  // Serves `body` at exactly `path` (no query), e.g. "/vcek/v1/Milan/cert_chain".
  void add(const std::string& path, Bytes body);
  // The next requests whose path (without query) starts with `prefix` get these responses, in
  // order, before normal service resumes.
  void inject(const std::string& prefix, MockResponse response, int times = 1);
  // Every answer is delayed this long (e.g. to make concurrent clients overlap).
  void set_delay(std::chrono::milliseconds delay);

  std::size_t requests() const;                                // all
  std::size_t requests(const std::string& prefix) const;      // path starts with prefix
  std::vector<std::string> errors() const;                     // protocol complaints
  std::vector<std::string> user_agents() const;

 private:
  struct Vcek {
    snp::Product product;
    Bytes der;
    x509::AmdExtensions ext;
  };
  void handle(const void* request, void* response);

  mutable std::mutex mutex_;
  std::map<std::string, Bytes> objects_;
  std::map<std::string, Vcek> vceks_;  // by path without query
  std::deque<std::pair<std::string, MockResponse>> faults_;
  std::chrono::milliseconds delay_{0};
  std::vector<std::string> paths_;
  std::vector<std::string> errors_;
  std::vector<std::string> agents_;
  // Last: destroyed first, so the server stops before the state its handler reads goes.
  std::unique_ptr<LoopbackHttp> http_;
};

}  // namespace veritee::test
