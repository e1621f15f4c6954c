// A loopback stand-in for Intel PCS (cpp-httplib on 127.0.0.1, a free port) serving one
// collateral set of the DCAP corpus at the PCS v4 paths, in the shapes PCS uses: the signed
// documents as {"tcbInfo"|"enclaveIdentity": ..., "signature": hex} with the URL-encoded issuer
// chain in TCB-Info-Issuer-Chain / SGX-Enclave-Identity-Issuer-Chain, the PCK CRL as DER with
// SGX-PCK-CRL-Issuer-Chain, the root CA CRL as hex (as a PCCS serves /rootcacrl). Faults: any
// status with Retry-After, a truncated body, a hang, any body, a missing header.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "veritee/tdx/collateral.hpp"

namespace veritee::test {

class LoopbackHttp;  // support/loopback_http.hpp

// The TDX sample of the DCAP corpus, its collateral (what a FakePcs serves in the keeper and
// serve tests), and a time at which that collateral is current.
inline constexpr const char* kTdxSampleQuote = "dcap-qvl/sample/tdx_quote";
inline constexpr const char* kTdxSampleCollateral = "dcap-qvl/sample/tdx_quote_collateral.json";
inline constexpr const char* kTdxSampleAt = "2025-07-04T10:00:00Z";

struct PcsFault {
  int status = 200;
  std::string body{};          // replaces the served body when not empty
  std::string retry_after{};   // Retry-After header value, when not empty
  std::chrono::milliseconds delay{0};
  bool truncate = false;       // announce the full length, send half, close
  bool drop_chain = false;     // leave out the issuer-chain header
};

class FakePcs {
 public:
  explicit FakePcs(tdx::Collateral collateral);
  ~FakePcs();
  FakePcs(const FakePcs&) = delete;
  FakePcs& operator=(const FakePcs&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"
  // Serve another set from now on (e.g. TCB Info for another FMSPC).
  void serve(tdx::Collateral collateral);
  // The next `times` requests whose path starts with `prefix` get `fault`.
  void inject(const std::string& prefix, PcsFault fault, int times = 1);
  std::size_t requests() const;
  std::vector<std::string> targets() const;  // path?query of every request

 private:
  void handle(const void* request, void* response);

  mutable std::mutex mutex_;
  tdx::Collateral collateral_;
  std::deque<std::pair<std::string, PcsFault>> faults_;
  std::vector<std::string> targets_;
  // Last: destroyed first, so the server stops before the state its handler reads goes.
  std::unique_ptr<LoopbackHttp> http_;
};

}  // namespace veritee::test
