// A policy pinning what a golden report shows (the guest's measurement, launch data, POLICY,
// TCB, product and signing key), as commented TOML that parse_policy reads back. The caller
// verifies the report first: a policy is only derived from authentic evidence.
#pragma once

#include <string>
#include <string_view>

#include "veritee/product.hpp"
#include "veritee/report.hpp"

namespace veritee::rats {

// `product` is the one verification settled on; `source` names the report in the header
// comment. Values tied to one launch or one request (REPORT_ID, REPORT_DATA, CHIP_ID) are
// written as comments, so the policy admits every launch of the same image.
std::string policy_from_report(const snp::Report& report, snp::Product product,
                               std::string_view source);

}  // namespace veritee::rats
