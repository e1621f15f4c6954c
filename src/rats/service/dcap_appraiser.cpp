// POST /v1/attest with a DCAP quote (Intel SGX / TDX): the same pipeline as an SNP report
// (appraiser.cpp) with the quote's own pieces: the collateral (the request's, else the
// service's bundle / verified cache / Intel PCS), tdx::verify_quote, the nonce in REPORTDATA
// through the same rule and checks (freshness.hpp), the [tdx]/[sgx] policy section
// (verify::appraise_dcap), and the EAR under the submod "TDX" or "SGX" (docs/service.md).
#include "rats/service/freshness.hpp"
#include "veritee/rats/appraiser.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/result_json.hpp"
#include "veritee/tdx/verify.hpp"
#include "veritee/verify/dcap_appraisal.hpp"

namespace veritee::rats {
namespace {

// The quote's fields (as `show --json`) and the TCB its verification established.
nlohmann::json quote_report(const tdx::QuoteInput& in, const tdx::DcapResult& r) {
  nlohmann::json j = tdx::quote_input_to_json(in);
  j["tcb"] = tdx::tcb_to_json(r);
  return j;
}

}  // namespace

Result<AttestationResult> Appraiser::appraise_quote(const Submission& s,
                                                    std::vector<endorse::Provenance>* provenance) const {
  const verify::AppraisalPolicy& policy = config_.policy;
  if (s.report || s.hcl || s.vcek || s.cert_table) {
    return fail(Errc::kInvalidInput,
                "a DCAP \"quote\" goes with \"collateral\" and \"nonce\" only (not report, hcl, vcek, cert_table)");
  }
  auto in = tdx::load_quote(*s.quote);
  if (!in) return fail(Errc::kInvalidInput, "\"quote\": " + in.error().message);
  if (auto rule = detail::nonce_rule(s, policy, "REPORTDATA"); !rule) return std::unexpected(rule.error());

  AttestationResult out;
  out.appraised_at = config_.clock();
  const veritee::TimePoint verify_at =
      config_.verification_clock ? config_.verification_clock() : out.appraised_at;
  std::vector<endorse::Provenance> sources;
  std::optional<tdx::Collateral> collateral;
  if (s.collateral) {
    auto parsed = tdx::parse_collateral(*s.collateral);
    if (!parsed) return fail(Errc::kInvalidInput, "\"collateral\": " + parsed.error().message);
    collateral = std::move(*parsed);
    sources.push_back({"collateral", endorse::Origin::kFile, "\"collateral\" of the request"});
  } else {
    auto request = tdx::collateral_request(in->quote);
    if (!request) return fail(Errc::kInvalidInput, "\"quote\": " + request.error().message);
    if (!config_.collateral) {
      return fail(Errc::kEndorsementMissing, "no collateral source: " + request->describe());
    }
    auto fetched = config_.collateral(*request, verify_at);
    if (!fetched) {
      return std::unexpected(std::move(fetched.error()).within("collateral for " + request->describe()));
    }
    collateral = std::move(fetched->collateral);
    sources = std::move(fetched->provenance);
  }
  if (provenance) *provenance = sources;

  const tdx::DcapResult verified = tdx::verify_quote(in->quote, *collateral, {verify_at, nullptr, &dcap_memo_});
  out.checks = verified.checks;
  const ByteView report_data = in->quote.report_data();
  if (auto fresh = detail::add_nonce_checks(
          s, config_.nonces, {"REPORTDATA", Bytes(report_data.begin(), report_data.end()), {}}, out);
      !fresh) {
    return std::unexpected(fresh.error());
  }
  // The policy judges authentic evidence only: without a TCB status there is nothing to judge,
  // and the failed authenticity check already makes the result contraindicated.
  if (verified.verified()) {
    verify::Appraisal appraisal = verify::appraise_dcap(in->quote, verified, policy);
    for (auto& c : appraisal.checks.checks) out.checks.add(std::move(c));
    out.warnings = std::move(appraisal.warnings);
  }
  out.status = derive_status(out.checks, out.warnings);
  out.vector = derive_trust_vector(out.checks, out.warnings);
  out.report = quote_report(*in, verified);
  const bool tdx = in->quote.tee() == tdx::Tee::kTdx;
  out.submod = tdx ? "TDX" : "SGX";
  out.evidence = "DCAP quote v" + std::to_string(in->quote.header().version) + " (" + in->encoding + ")";
  out.policy_id = policy.id;
  return out;
}

}  // namespace veritee::rats
