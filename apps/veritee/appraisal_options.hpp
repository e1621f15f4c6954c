// `verify`'s appraisal options: --policy FILE (the TOML `serve` reads, docs/policy.md) and the
// per-field options named after the report fields, which build a policy or replace the
// file's value for their key. The appraisal itself is the library's (rats::appraise), so the
// command line and the service pass and fail the same reports with the same check ids.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "veritee/common/error.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/verify/policy.hpp"

namespace veritee::cli {

struct AppraisalFlags {
  std::string policy_file;
  std::vector<std::string> measurements;
  std::string report_data, host_data, family_id, image_id, id_key_digest, author_key_digest,
      chip_id, report_id;
  std::optional<std::uint32_t> vmpl, min_guest_svn;
  std::optional<unsigned> min_build;
  std::string min_tcb, min_launch_tcb, min_version;
  bool allow_debug = false;
  std::vector<std::string> require_policy_bits;
};

void add_appraisal_flags(CLI::App& cmd, AppraisalFlags& flags);

// The policy the flags ask for; nullopt when they ask for none. Errors name the option.
// `notes` receives what the file sets that only the service uses.
Result<std::optional<verify::AppraisalPolicy>> appraisal_policy(const AppraisalFlags& flags,
                                                              std::vector<std::string>& notes);

}  // namespace veritee::cli
