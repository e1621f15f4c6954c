// DCAP quotes (Intel SGX / TDX) in `veritee show` and `veritee verify`: the commands detect a
// quote and hand it here, so the SNP paths stay as they are.
#pragma once

#include <optional>
#include <string>

#include "appraisal_options.hpp"
#include "endorsement_options.hpp"
#include "veritee/tdx/quote.hpp"

namespace veritee::cli {

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
int run_dcap_verify(const std::string& path, const std::string& collateral, const std::string& at,
                    bool json, const EndorsementFlags& sources, const AppraisalFlags& appraisal);

}  // namespace veritee::cli
