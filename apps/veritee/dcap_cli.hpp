// DCAP quotes (Intel SGX / TDX) in `veritee show` and `veritee verify`: the commands detect a
// quote and hand it here, so the SNP paths stay as they are.
#pragma once

#include <string>

namespace veritee::cli {

// Whether FILE (binary, hex or base64) holds a DCAP quote rather than an SNP report. Stdin
// ("-") is left to the SNP path.
bool is_dcap_quote_file(const std::string& path);

int run_dcap_show(const std::string& path, bool json);

// Exit codes: 0 authentic (any TCB status but Revoked; the status is shown), 1 the evidence
// failed a check (signature, revocation, no TCB level, debug), 2 usage or malformed quote,
// 3 the collateral is missing, unusable, out of date or chains to another root.
int run_dcap_verify(const std::string& path, const std::string& collateral, const std::string& at,
                    bool json);

}  // namespace veritee::cli
