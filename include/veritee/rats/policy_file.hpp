// The appraisal policy's TOML form (docs/policy.md, examples/policy.toml): an unknown key or a
// value of the wrong type or size is an error naming the file and line.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "veritee/common/error.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/verify/policy.hpp"

namespace veritee::rats {

using verify::AppraisalPolicy;

// Parses policy TOML. `source` names the text in messages ("policy.toml:12: ...").
Result<AppraisalPolicy> parse_policy(std::string_view toml_text, std::string_view source);
Result<AppraisalPolicy> load_policy_file(const std::filesystem::path& path);

// The other direction: a policy pinning what a golden report shows (its measurement, launch
// data, POLICY bits, TCB, product and signing key), as commented TOML that parse_policy reads
// back. The caller verifies the report first: a policy is only derived from authentic evidence.
// `product` is the one verification settled on; `source` names the report in the header
// comment. Values tied to one launch, request or chip (REPORT_ID, REPORT_DATA, CHIP_ID) are
// written as comments, so the policy admits every launch of the same image.
std::string policy_from_report(const snp::Report& report, snp::Product product,
                               std::string_view source);

}  // namespace veritee::rats
