#include "appraisal_options.hpp"

#include "veritee/snp/guest_policy.hpp"
#include "veritee/rats/policy_file.hpp"
#include "veritee/verify/policy_values.hpp"

namespace veritee::cli {
namespace {

// "--measurement: MEASUREMENT: expected 48 bytes ...".
Error flag_error(const std::string& flag, const char* field, const Error& e) {
  return Error{Errc::kInvalidInput, flag + ": " + field + ": " + e.message};
}

}  // namespace

void add_appraisal_flags(CLI::App& cmd, AppraisalFlags& f) {
  const char* group = "Appraisal (exit 5 when authentic evidence fails it; docs/policy.md)";
  auto hex = [&](const char* flag, std::string& value, const char* help) {
    cmd.add_option(flag, value, help)->group(group);
  };
  cmd.add_option("--policy", f.policy_file,
                 "appraisal policy: the TOML `serve --policy` reads; the options below replace "
                 "its value for their key")
      ->group(group);
  cmd.add_option("--measurement", f.measurements,
                 "allowed MEASUREMENT, 48 bytes of hex; repeat for an allowed list")
      ->group(group)
      ->allow_extra_args(false);
  hex("--report-data", f.report_data, "exact REPORT_DATA, 64 bytes of hex");
  hex("--host-data", f.host_data, "HOST_DATA, 32 bytes of hex");
  hex("--family-id", f.family_id, "FAMILY_ID, 16 bytes of hex");
  hex("--image-id", f.image_id, "IMAGE_ID, 16 bytes of hex");
  hex("--id-key-digest", f.id_key_digest, "ID_KEY_DIGEST, 48 bytes of hex");
  hex("--author-key-digest", f.author_key_digest, "AUTHOR_KEY_DIGEST, 48 bytes of hex");
  hex("--chip-id", f.chip_id, "CHIP_ID, 64 bytes of hex (8 for a Turin chip)");
  hex("--report-id", f.report_id, "REPORT_ID, 32 bytes of hex");
  cmd.add_option("--vmpl", f.vmpl, "required VMPL (0-3)")->check(CLI::Range(0, 3))->group(group);
  hex("--min-tcb", f.min_tcb,
      "minimum REPORTED/COMMITTED/CURRENT_TCB: bl=N,tee=N,snp=N,ucode=N[,fmc=N] or a raw "
      "TCB_VERSION of 16 hex digits");
  hex("--min-launch-tcb", f.min_launch_tcb, "minimum LAUNCH_TCB, as --min-tcb");
  cmd.add_option("--min-guest-svn", f.min_guest_svn, "minimum GUEST_SVN")->group(group);
  cmd.add_option("--min-build", f.min_build, "minimum CURRENT_BUILD (0-255)")
      ->check(CLI::Range(0, 255))
      ->group(group);
  hex("--min-version", f.min_version, "minimum firmware CURRENT_MAJOR.MINOR[.BUILD], e.g. 1.55");
  cmd.add_flag("--allow-debug", f.allow_debug,
               "accept POLICY.DEBUG = 1 (as a warning: the host can read guest memory)")
      ->group(group);
  cmd.add_option("--require-policy-bit", f.require_policy_bits,
                 "a POLICY bit that must be 1, named as `show` prints it (e.g. "
                 "page_swap_disable, ciphertext_hiding); repeatable")
      ->group(group)
      ->allow_extra_args(false);
}

Result<std::optional<verify::AppraisalPolicy>> appraisal_policy(const AppraisalFlags& f,
                                                              std::vector<std::string>& notes) {
  const bool any_field =
      !f.measurements.empty() || !f.report_data.empty() || !f.host_data.empty() ||
      !f.family_id.empty() || !f.image_id.empty() || !f.id_key_digest.empty() ||
      !f.author_key_digest.empty() || !f.chip_id.empty() || !f.report_id.empty() || f.vmpl ||
      f.min_guest_svn || f.min_build || !f.min_tcb.empty() || !f.min_launch_tcb.empty() ||
      !f.min_version.empty() || f.allow_debug || !f.require_policy_bits.empty();
  if (f.policy_file.empty() && !any_field) return std::optional<verify::AppraisalPolicy>{};

  verify::AppraisalPolicy policy;
  if (!f.policy_file.empty()) {
    auto loaded = rats::load_policy_file(f.policy_file);
    if (!loaded) return std::unexpected(loaded.error());
    policy = std::move(*loaded);
    for (const std::string& key : policy.service_keys) {
      notes.push_back(f.policy_file + ": " + key +
                      " applies to `veritee serve` only (its nonces); verify ignores it");
    }
  } else {
    policy.id = "command-line options";
    policy.source = "command-line options";
  }

  // One field: parsed as its report field, or an error naming the option.
  auto field = [&](const std::string& value, const char* flag, const char* name,
                   std::initializer_list<std::size_t> sizes) -> Result<std::optional<Bytes>> {
    if (value.empty()) return std::optional<Bytes>{};
    auto bytes = verify::field_hex(value, sizes);
    if (!bytes) return std::unexpected(flag_error(flag, name, bytes.error()));
    return std::optional<Bytes>{std::move(*bytes)};
  };
  struct One {
    const std::string& value;
    const char* flag;
    const char* name;
    std::initializer_list<std::size_t> sizes;
    std::optional<Bytes>* single;
    std::vector<Bytes>* list;
  };
  const One ones[] = {
      {f.report_data, "--report-data", "REPORT_DATA", {64}, &policy.report_data, nullptr},
      {f.host_data, "--host-data", "HOST_DATA", {32}, &policy.host_data, nullptr},
      {f.family_id, "--family-id", "FAMILY_ID", {16}, &policy.family_id, nullptr},
      {f.image_id, "--image-id", "IMAGE_ID", {16}, &policy.image_id, nullptr},
      {f.report_id, "--report-id", "REPORT_ID", {32}, &policy.report_id, nullptr},
      {f.id_key_digest, "--id-key-digest", "ID_KEY_DIGEST", {48}, nullptr, &policy.id_key_digests},
      {f.author_key_digest, "--author-key-digest", "AUTHOR_KEY_DIGEST", {48}, nullptr,
       &policy.author_key_digests},
      {f.chip_id, "--chip-id", "CHIP_ID", {64, 8}, nullptr, &policy.chip_ids},
  };
  for (const One& o : ones) {
    auto bytes = field(o.value, o.flag, o.name, o.sizes);
    if (!bytes) return std::unexpected(bytes.error());
    if (!*bytes) continue;
    if (o.single) *o.single = std::move(**bytes);
    else *o.list = {std::move(**bytes)};
  }
  if (!f.measurements.empty()) {
    policy.measurements.clear();
    for (const std::string& m : f.measurements) {
      auto bytes = field(m, "--measurement", "MEASUREMENT", {48});
      if (!bytes) return std::unexpected(bytes.error());
      policy.measurements.push_back(std::move(**bytes));
    }
  }
  if (f.vmpl) policy.vmpl = {*f.vmpl};
  if (f.min_guest_svn) policy.min_guest_svn = *f.min_guest_svn;
  if (f.min_build) policy.min_build = static_cast<std::uint8_t>(*f.min_build);
  for (auto [text, flag, rule] : {std::tuple{&f.min_tcb, "--min-tcb", &policy.min_tcb},
                                  std::tuple{&f.min_launch_tcb, "--min-launch-tcb", &policy.min_launch_tcb}}) {
    if (text->empty()) continue;
    auto parsed = verify::tcb_minimum_text(*text);
    if (!parsed) return fail(Errc::kInvalidInput, std::string(flag) + ": " + parsed.error().message);
    *rule = std::move(*parsed);
  }
  if (!f.min_version.empty()) {
    bool has_build = false;
    auto v = verify::version_text(f.min_version, &has_build);
    if (!v) return fail(Errc::kInvalidInput, "--min-version: " + v.error().message);
    policy.min_version = *v;
    policy.min_version_has_build = has_build;
  }
  if (f.allow_debug) policy.allow_debug = true;
  if (!f.require_policy_bits.empty()) {
    policy.required_policy_bits.clear();
    for (const std::string& name : f.require_policy_bits) {
      auto bit = verify::named_bit(snp::GuestPolicy::bits(), name);
      if (!bit) return fail(Errc::kInvalidInput, "--require-policy-bit: " + bit.error().message);
      policy.required_policy_bits.push_back(std::move(*bit));
    }
  }
  if (!f.policy_file.empty() && any_field) policy.id += " with command-line values";
  return std::optional<verify::AppraisalPolicy>{std::move(policy)};
}

}  // namespace veritee::cli
