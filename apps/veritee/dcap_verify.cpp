// `veritee verify QUOTE --collateral FILE [--at T] [--json]`: every DCAP check, the TCB status
// and advisories.
#include <iostream>
#include <optional>

#include "appraisal_options.hpp"
#include "cli_common.hpp"
#include "dcap_cli.hpp"
#include "dcap_sources.hpp"
#include "verify_options.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/quote_format.hpp"
#include "veritee/tdx/result_json.hpp"
#include "veritee/verify/dcap_appraisal.hpp"
#include "veritee/verify/result_json.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::cli {

namespace {

// DCAP ids are longer than SNP's ("policy.dcap.tcb_status").
constexpr std::size_t kIdWidth = 24;

void print_text(const tdx::QuoteInput& in, const tdx::DcapResult& r,
                const std::vector<endorse::Provenance>& provenance,
                const std::optional<verify::Appraisal>& appraisal,
                const verify::AppraisalPolicy* policy) {
  const tdx::Quote& q = in.quote;
  std::cout << "evidence: " << in.encoding << ", DCAP quote version " << q.header().version << " ("
            << tdx::to_string(q.tee()) << ")\n";
  for (const auto& p : provenance) std::cout << "collateral: " << p.piece << " from " << p.source << '\n';
  for (const Check& c : r.checks.checks) print_check(c, kIdWidth);
  if (appraisal) {
    for (const Check& c : appraisal->checks.checks) print_check(c, kIdWidth);
  }
  if (r.status) {
    std::cout << "TCB status: " << tdx::to_string(*r.status);
    if (!r.advisories.empty()) {
      std::cout << " (advisories:";
      for (const auto& a : r.advisories) std::cout << ' ' << a;
      std::cout << ')';
    }
    std::cout << '\n';
  }
  std::cout << (r.verified() ? "verified: the quote is authentic Intel " +
                                   std::string(tdx::to_string(q.tee())) + " evidence\n"
                             : std::string("NOT verified\n"));
  if (!policy) return;
  if (!appraisal) {
    std::cout << "not appraised against policy " << policy->source << ": the evidence is not authentic\n";
    return;
  }
  std::string failed;
  for (const Check& c : appraisal->checks.checks) {
    if (!c.ok()) failed += (failed.empty() ? "" : ", ") + c.id;
  }
  std::cout << (failed.empty() ? "appraised: meets policy " + policy->source + "\n"
                               : "appraised: FAILS policy " + policy->source + ": " + failed + "\n");
}

// tdx::dcap_result_to_json (shared with POST /v1/inspect) plus what only the CLI knows: the
// appraisal's checks, the policy and where each piece of collateral came from.
nlohmann::json to_json(const tdx::QuoteInput& in, const tdx::DcapResult& r,
                       const std::vector<endorse::Provenance>& provenance,
                       const std::optional<verify::Appraisal>& appraisal,
                       const verify::AppraisalPolicy* policy, int exit_code) {
  nlohmann::json j = tdx::dcap_result_to_json(in, r, exit_code);
  if (appraisal) {
    for (const Check& c : appraisal->checks.checks) j["checks"].push_back(check_to_json(c, "appraisal"));
  }
  j["policy"] = policy_to_json(policy, appraisal ? &*appraisal : nullptr);
  j["endorsements"] = nlohmann::json::array();
  for (const auto& p : provenance) {
    j["endorsements"].push_back({{"piece", p.piece}, {"source", p.source}});
  }
  return j;
}

}  // namespace

int run_dcap_verify(const VerifyFlags& f, const std::string& collateral_path,
                    const AppraisalFlags& appraisal_flags) {
  const std::string& path = f.files.front();
  auto now = time_flag(f.at);
  if (!now) return report_verify_failure(f, path, kExitUsage, now.error().message);
  std::vector<std::string> notes;
  auto loaded_policy = appraisal_policy(appraisal_flags, notes);
  if (!loaded_policy) return report_verify_failure(f, path, kExitUsage, loaded_policy.error().message);
  if (*loaded_policy && appraisal_flags.policy_file.empty()) {
    return report_verify_failure(f, path, kExitUsage,
                                 path + ": the per-field options are for SNP reports; appraise a DCAP quote with "
                                        "--policy FILE and its [tdx] or [sgx] section (docs/dcap.md)");
  }
  if (!f.quiet) {
    for (const auto& n : notes) print_error(n);
  }
  const verify::AppraisalPolicy* policy = *loaded_policy ? &**loaded_policy : nullptr;
  auto bytes = read_input(path);
  if (!bytes) return report_verify_failure(f, path, kExitUsage, bytes.error().message);
  auto in = tdx::load_quote(*bytes);
  if (!in) return report_verify_failure(f, path, kExitUsage, path + ": " + in.error().message);
  std::vector<endorse::Provenance> provenance;
  std::optional<tdx::Collateral> collateral;
  if (!collateral_path.empty()) {
    auto loaded = tdx::load_collateral_file(collateral_path);
    if (!loaded) return report_verify_failure(f, path, kExitEndorsement, loaded.error().message);
    collateral = std::move(*loaded);
    provenance.push_back({"collateral", endorse::Origin::kFile, "file " + collateral_path});
  } else {
    auto request = tdx::collateral_request(in->quote);
    if (!request) return report_verify_failure(f, path, kExitUsage, path + ": " + request.error().message);
    auto opened = DcapSources::open(f.sources, true);
    if (!opened) return report_verify_failure(f, path, kExitEndorsement, opened.error().message);
    auto fetched = (*opened)->fetcher(f.at.empty() ? std::nullopt : std::optional(*now)).collateral(*request);
    (*opened)->say_where_cached();
    if (!fetched) {
      return report_verify_failure(
          f, path, endorsement_exit_code(fetched.error()),
          "collateral for " + request->describe() + ": " + fetched.error().message +
              (f.sources.offline ? "; give it with --collateral FILE, or leave out --offline" : ""));
    }
    collateral = std::move(fetched->collateral);
    provenance = std::move(fetched->provenance);
  }
  tdx::DcapResult result = tdx::verify_quote(in->quote, *collateral, {*now});
  std::optional<verify::Appraisal> appraisal;
  if (policy && result.verified()) appraisal = verify::appraise_dcap(in->quote, result, *policy);
  const int code = exit_code_with_policy(result.checks.verdict(), appraisal && !appraisal->checks.passed());
  if (f.quiet) {
  } else if (f.json) {
    std::cout << to_json(*in, result, provenance, appraisal, policy, code).dump(2) << '\n';
  } else {
    print_text(*in, result, provenance, appraisal, policy);
  }
  return code;
}

}  // namespace veritee::cli
