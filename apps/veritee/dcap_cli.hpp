// DCAP quotes (Intel SGX / TDX) in `veritee show` and `veritee verify`: the commands detect a
// quote and hand it here, so the SNP paths stay as they are.
#pragma once

#include <optional>
#include <string>

#include "appraisal_options.hpp"
#include "endorsement_options.hpp"
#include "verify_options.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/tdx/quote.hpp"

namespace veritee::cli {

class DcapSources;  // dcap_sources.hpp

// Whether FILE (binary, hex or base64; "-" is stdin, read once and kept for the command)
// holds a DCAP quote rather than an SNP report.
bool is_dcap_quote_file(const std::string& path);

// The quote in FILE ("-" stdin), or nothing after printing why (exit 2).
std::optional<tdx::QuoteInput> read_quote_file(const std::string& path);

int run_dcap_show(const std::string& path, bool json);

// Exit codes: 0 authentic (any TCB status but Revoked; the status is shown), 1 the evidence
// failed a check (signature, revocation, no TCB level, debug), 2 usage or malformed quote,
// 3 the collateral is missing, unusable, out of date or chains to another root. Without a
// collateral file it comes from `sources` (bundle, cache, Intel PCS). With --policy, 5 when
// authentic evidence fails the [tdx]/[sgx] section (docs/dcap.md "Appraisal").
// --json and --quiet as for a report (cmd_verify.cpp): the same failure object, nothing printed
// under --quiet but errors. FILE is flags.files.front().
int run_dcap_verify(const VerifyFlags& flags, const std::string& collateral, const AppraisalFlags& appraisal);

// `veritee bundle` for a quote: its collateral added to `bundle` from `sources` (their bundle,
// cache or Intel PCS), every piece checked first; staleness judged at `at` (now when empty).
struct BundledQuote {
  int exit_code = 0;  // 0, 2 unreadable quote, 3 collateral missing or failing its check
  std::string error;
  std::vector<std::string> keys;  // the bundle entries written
};
BundledQuote bundle_quote(const std::string& path, endorse::EndorsementCache& bundle,
                          DcapSources& sources, std::optional<veritee::TimePoint> at);

}  // namespace veritee::cli
