// `veritee verify QUOTE --collateral FILE [--at T] [--json]`: every DCAP check, the TCB status
// and advisories.
#include <iostream>
#include <optional>

#include "appraisal_options.hpp"
#include "cli_common.hpp"
#include "dcap_cli.hpp"
#include "dcap_sources.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/quote_format.hpp"
#include "veritee/tdx/result_json.hpp"
#include "veritee/verify/dcap_appraisal.hpp"
#include "veritee/verify/result_json.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::cli {

namespace {

void print_check(const Check& c) {
  std::string status(to_string(c.status));
  for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::cout << "  " << status << "  " << c.id;
  for (std::size_t i = c.id.size(); i < 24; ++i) std::cout << ' ';
  std::cout << ' ' << c.detail << '\n';
}

void print_text(const tdx::QuoteInput& in, const tdx::DcapResult& r,
                const std::vector<endorse::Provenance>& provenance,
                const std::optional<verify::Appraisal>& appraisal,
                const verify::AppraisalPolicy* policy) {
  const tdx::Quote& q = in.quote;
  std::cout << "evidence: " << in.encoding << ", DCAP quote version " << q.header().version << " ("
            << tdx::to_string(q.tee()) << ")\n";
  for (const auto& p : provenance) std::cout << "collateral: " << p.piece << " from " << p.source << '\n';
  for (const Check& c : r.checks.checks) print_check(c);
  if (appraisal) {
    for (const Check& c : appraisal->checks.checks) print_check(c);
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

int run_dcap_verify(const std::string& path, const std::string& collateral_path,
                    const std::string& at, bool json, const EndorsementFlags& sources,
                    const AppraisalFlags& appraisal_flags) {
  auto now = time_flag(at);
  if (!now) {
    print_error(now.error());
    return kExitUsage;
  }
  std::vector<std::string> notes;
  auto loaded_policy = appraisal_policy(appraisal_flags, notes);
  if (!loaded_policy) {
    print_error(loaded_policy.error());
    return kExitUsage;
  }
  if (*loaded_policy && appraisal_flags.policy_file.empty()) {
    print_error(path + ": the per-field options are for SNP reports; appraise a DCAP quote with "
                       "--policy FILE and its [tdx] or [sgx] section (docs/dcap.md)");
    return kExitUsage;
  }
  for (const auto& n : notes) print_error(n);
  const verify::AppraisalPolicy* policy = *loaded_policy ? &**loaded_policy : nullptr;
  auto in = read_quote_file(path);
  if (!in) return kExitUsage;
  std::vector<endorse::Provenance> provenance;
  std::optional<tdx::Collateral> collateral;
  if (!collateral_path.empty()) {
    auto loaded = tdx::load_collateral_file(collateral_path);
    if (!loaded) {
      print_error(loaded.error());
      return kExitEndorsement;
    }
    collateral = std::move(*loaded);
    provenance.push_back({"collateral", endorse::Origin::kFile, "file " + collateral_path});
  } else {
    auto request = tdx::collateral_request(in->quote);
    if (!request) {
      print_error(path + ": " + request.error().message);
      return kExitUsage;
    }
    auto opened = DcapSources::open(sources, true);
    if (!opened) {
      print_error(opened.error());
      return kExitEndorsement;
    }
    auto fetched = (*opened)->fetcher(at.empty() ? std::nullopt : std::optional(*now)).collateral(*request);
    (*opened)->say_where_cached();
    if (!fetched) {
      print_error("collateral for " + request->describe() + ": " + fetched.error().message +
                  (sources.offline ? "; give it with --collateral FILE, or leave out --offline" : ""));
      return endorsement_exit_code(fetched.error());
    }
    collateral = std::move(fetched->collateral);
    provenance = std::move(fetched->provenance);
  }
  tdx::DcapResult result = tdx::verify_quote(in->quote, *collateral, {*now});
  std::optional<verify::Appraisal> appraisal;
  if (policy && result.verified()) appraisal = verify::appraise_dcap(in->quote, result, *policy);
  int code = exit_code_of(result.checks.verdict());
  if (code == kExitVerified && appraisal && !appraisal->checks.passed()) code = kExitPolicy;
  if (json) {
    std::cout << to_json(*in, result, provenance, appraisal, policy, code).dump(2) << '\n';
  } else {
    print_text(*in, result, provenance, appraisal, policy);
  }
  return code;
}

}  // namespace veritee::cli
