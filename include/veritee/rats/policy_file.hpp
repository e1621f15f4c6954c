// The appraisal policy's TOML form (docs/policy.md, examples/policy.toml): an unknown key or a
// value of the wrong type or size is an error naming the file and line.
#pragma once

#include <filesystem>
#include <string_view>

#include "veritee/common/error.hpp"
#include "veritee/verify/policy.hpp"

namespace veritee::rats {

using verify::AppraisalPolicy;

// Parses policy TOML. `source` names the text in messages ("policy.toml:12: ...").
Result<AppraisalPolicy> parse_policy(std::string_view toml_text, std::string_view source);
Result<AppraisalPolicy> load_policy_file(const std::filesystem::path& path);

}  // namespace veritee::rats
