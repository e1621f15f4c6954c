// Verification of a DCAP quote against its collateral (DESIGN.md 6): the PCK chain to the
// pinned Intel SGX Root CA and its CRLs, the collateral's signatures, issuer chains and dates,
// the QE report and quote signatures and the key binding, the QE identity, the platform and
// TDX module TCB levels, debug, and the merged TCB status. One Check per step, in order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "veritee/x509/certificate.hpp"
#include "veritee/common/check.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/quote.hpp"

namespace veritee::tdx {

// The built-in Intel SGX Root CA (pinned; DER SHA-256 44a0196b...b674d3).
const x509::Certificate& intel_sgx_root_ca();

// What verify_quote may remember from one quote to the next (a verifier appraising many quotes
// of the same platforms with the same collateral): issuer chains anchored at the root, CRLs
// whose signatures verified, and signed collateral documents whose signatures verified, each
// keyed by its exact bytes and its signer; and the SGX extensions of each PCK certificate
// that decoded, keyed by the SHA-256 of its DER. Only what verified is kept; dates, validity,
// revocation and everything about the quote are judged at every call. Thread-safe; bounded
// (full, it starts again empty).
class DcapMemo {
 public:
  explicit DcapMemo(std::size_t capacity = 1024);
  ~DcapMemo();
  DcapMemo(const DcapMemo&) = delete;
  DcapMemo& operator=(const DcapMemo&) = delete;
  struct Impl;  // verify.cpp
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct DcapVerifyOptions {
  veritee::TimePoint now;  // every date is judged at this time, never the clock
  // The trust anchor; nullptr is the pinned Intel SGX Root CA (others only for tests).
  const x509::Certificate* root = nullptr;
  DcapMemo* memo = nullptr;  // none: everything is verified at every call
};

struct DcapResult {
  CheckList checks;
  // The merged TCB status, when the TCB could be evaluated (usable collateral, a matching
  // platform TCB level and QE identity level).
  std::optional<TcbStatus> status;
  std::optional<TcbStatus> platform_status;
  std::optional<TcbStatus> qe_status;
  std::optional<TcbStatus> tdx_module_status;
  std::vector<std::string> advisories;  // platform level's, then the QE's and module's new ones
  std::string fmspc;                    // lowercase hex, from the PCK certificate
  std::string tcb_date;                 // of the matched platform TCB level
  bool debug = false;                   // a debug enclave or TD
  bool verified() const { return checks.passed(); }
};

DcapResult verify_quote(const Quote& quote, const Collateral& collateral,
                        const DcapVerifyOptions& options);

}  // namespace veritee::tdx
