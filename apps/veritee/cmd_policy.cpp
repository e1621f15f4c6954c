// veritee policy from-report REPORT [--out FILE] [verify's endorsement options]: a commented
// TOML policy pinning what an authentic golden report shows.
// veritee policy check FILE: lints a policy as `serve` and `verify --policy` would load it.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "verify_options.hpp"
#include "veritee/verify/policy.hpp"
#include "veritee/rats/policy_file.hpp"

namespace veritee::cli {
namespace {

struct FromReportFlags {
  VerifyFlags verify;
  std::string out;
};

int run_from_report(const FromReportFlags& f) {
  const std::string& file = f.verify.files.front();
  auto verified = verify_single(f.verify, file);
  if (!verified) {
    print_error(verified.error().message);
    return verified.error().exit_code;
  }
  const VerificationResult& result = verified->result;
  if (!result.verified()) {
    for (const Check& c : result.checks.checks) {
      if (!c.ok()) print_error("FAIL " + c.id + ": " + c.detail);
    }
    print_error(file + ": the report does not verify; a policy is only written from authentic "
                       "evidence (`veritee verify` shows every check)");
    return exit_code_of(result.checks.verdict());
  }
  // A verified report has a product: the chain's ARK is one product's.
  const snp::Product product = result.product.value();
  const std::string toml = rats::policy_from_report(verified->report(), product, file);
  // What is written must load: the same loader `serve` and `verify --policy` use.
  if (auto back = rats::parse_policy(toml, "the written policy"); !back) {
    print_error("internal error: " + back.error().message);
    return kExitUsage;
  }
  const bool to_stdout = f.out.empty() || f.out == "-";
  if (!to_stdout) {
    if (auto w = write_file_atomic(f.out, as_bytes(toml)); !w) {
      print_error(w.error());
      return kExitUsage;
    }
  }
  if (output().json) {
    emit_json({{"file", file}, {"product", snp::to_string(product)},
               {"measurement", to_hex(verified->report().measurement())},
               {"out", to_stdout ? nlohmann::json(nullptr) : nlohmann::json(f.out)},
               {"policy", toml}, {"exit_code", 0}});
    return kExitVerified;
  }
  if (to_stdout) {
    payload() << toml;
    return kExitVerified;
  }
  std::cerr << "veritee: wrote " << f.out << " (" << snp::to_string(product) << ", MEASUREMENT "
            << to_hex(verified->report().measurement()).substr(0, 16) << "...)\n";
  return kExitVerified;
}

int run_check(const std::string& file) {
  auto policy = rats::load_policy_file(file);
  if (!policy) {
    print_error(policy.error());
    return kExitUsage;
  }
  if (output().json) {
    emit_json({{"file", file}, {"valid", true}, {"id", policy->id}, {"exit_code", 0}});
  } else {
    std::cout << file << ": a valid policy (id " << policy->id << ")\n";
  }
  return kExitVerified;
}

const Registration kPolicy{
    {"policy", "Write a policy pinning a golden report, or check a policy file", 25,
     [](CLI::App& cmd) -> Runner {
       cmd.require_subcommand(1);
       cmd.footer(
           "Exit codes: from-report 0 written, 1 the report does not verify, 2 usage error or "
           "unreadable input, 3 an endorsement is missing or unusable; check 0 the policy "
           "loads, 2 it does not (with the file and line).");
       auto from = std::make_shared<FromReportFlags>();
       CLI::App* from_cmd = cmd.add_subcommand(
           "from-report", "Write a commented TOML policy pinning what a verified golden report shows");
       from_cmd->add_option("REPORT", from->verify.files, "the golden report (any input `show` reads)")
           ->required()
           ->expected(1);
       from_cmd->add_option("--out", from->out, "write the policy here (default: stdout)");
       add_verify_endorsement_options(*from_cmd, from->verify);
       from_cmd->footer(
           "The policy pins MEASUREMENT, HOST_DATA, FAMILY_ID, IMAGE_ID, ID_KEY_DIGEST (and "
           "AUTHOR_KEY_DIGEST when enabled), VMPL, GUEST_SVN, the POLICY bits, the product, the "
           "signing key kind and min_tcb = REPORTED_TCB. REPORT_ID, REPORT_DATA and CHIP_ID are "
           "written as comments.\n"
           "Exit codes: 0 written; 1 the report does not verify; 2 usage error or unreadable "
           "input; 3 an endorsement is missing or unusable.");
       auto check_file = std::make_shared<std::string>();
       CLI::App* check_cmd = cmd.add_subcommand(
           "check", "Check a policy file as `serve` and `verify --policy` load it");
       check_cmd->add_option("FILE", *check_file, "the policy (TOML, docs/policy.md)")->required();
       check_cmd->footer(
           "Exit codes: 0 the policy loads; 2 it does not (unknown key, wrong type, impossible "
           "value), with the file and line.");
       return [from, from_cmd, check_file, check_cmd] {
         if (from_cmd->parsed()) return run_from_report(*from);
         if (check_cmd->parsed()) return run_check(*check_file);
         return static_cast<int>(kExitUsage);
       };
     }}};

}  // namespace
}  // namespace veritee::cli
