// POST /v1/inspect (include/veritee/rats/inspect.hpp, docs/inspect.md): the evidence decoded as
// `veritee show --json` decodes it and verified as `veritee verify --json` verifies it, with
// the same library writers, plus the signer certificate's TCB and `policy from-report`'s TOML.
// Nothing here keeps or logs what was submitted.
#include "veritee/rats/inspect.hpp"

#include <nlohmann/json.hpp>

#include "rats/service/json_depth.hpp"
#include "veritee/common/encoding.hpp"
#include "veritee/rats/metrics.hpp"
#include "veritee/rats/policy_file.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/result_json.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/verify/result_json.hpp"

namespace veritee::rats {
namespace {

using nlohmann::json;

InspectReply error_reply(int status, const std::string& message) {
  return {status, json{{"error", message}}.dump()};
}

struct Request {
  std::string evidence;
  std::optional<std::string> vcek;
  std::optional<std::string> collateral;
  std::optional<snp::Product> product;
  bool appraise = false;
};

Result<Request> parse_request(std::string_view body) {
  constexpr std::size_t kMaxDepth = 8;  // one flat object
  if (detail::nesting_depth(body, kMaxDepth) > kMaxDepth) {
    return fail(Errc::kInvalidInput, "the request body nests JSON deeper than " +
                                         std::to_string(kMaxDepth) + " levels");
  }
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return fail(Errc::kInvalidInput, "the request body is not JSON");
  if (!doc.is_object()) return fail(Errc::kInvalidInput, "the request body must be a JSON object");
  Request r;
  bool has_evidence = false;
  for (const auto& [key, value] : doc.items()) {
    if (key == "appraise") {
      if (!value.is_boolean()) return fail(Errc::kInvalidInput, "\"appraise\" must be true or false");
      r.appraise = value.get<bool>();
      continue;
    }
    if (key != "evidence" && key != "vcek" && key != "collateral" && key != "product") {
      return fail(Errc::kInvalidInput, "unknown member \"" + key +
                                           "\" (evidence, vcek, collateral, product, appraise)");
    }
    if (!value.is_string()) return fail(Errc::kInvalidInput, "\"" + key + "\" must be a string");
    std::string text = value.get<std::string>();
    if (key == "evidence") {
      r.evidence = std::move(text);
      has_evidence = true;
    } else if (key == "vcek") {
      if (!text.empty()) r.vcek = std::move(text);
    } else if (key == "collateral") {
      if (!text.empty()) r.collateral = std::move(text);
    } else if (!text.empty()) {
      auto p = snp::parse_product(text);
      if (!p) return fail(Errc::kInvalidInput, "\"product\": " + p.error().message);
      r.product = *p;
    }
  }
  if (!has_evidence) return fail(Errc::kInvalidInput, "no evidence: give \"evidence\" (text or base64)");
  return r;
}

// The signer certificate as a file holds it: PEM text, or DER (sent as base64).
Result<x509::Certificate> load_signer(const std::string& text) {
  auto certs = x509::Certificate::load_all(as_bytes(text));
  if (!certs) {
    if (auto der = from_base64(text)) certs = x509::Certificate::load_all(*der);
  }
  if (!certs || certs->size() != 1) {
    return fail(Errc::kInvalidInput, "\"vcek\": expected one certificate (PEM, or DER as base64)" +
                                         (certs ? std::string() : ": " + certs.error().message));
  }
  return certs->front();
}

// What the page shows beside REPORTED_TCB: the SPLs the signer certificate was issued for.
json certificate_json(const std::optional<x509::Certificate>& signer, std::string_view piece) {
  if (!signer) return nullptr;
  json j{{"piece", std::string(piece)}, {"subject", signer->subject_cn()}};
  auto ext = signer->amd_extensions();
  if (!ext) {
    j["problem"] = ext.error().message;
    return j;
  }
  j["product_name"] = ext->product_name ? json(*ext->product_name) : json(nullptr);
  json tcb = json::object();
  auto put = [&](const char* name, const std::optional<std::uint8_t>& v) {
    if (v) tcb[name] = *v;
  };
  put("fmc", ext->fmc_spl);
  put("boot_loader", ext->bl_spl);
  put("tee", ext->tee_spl);
  put("snp", ext->snp_spl);
  put("microcode", ext->ucode_spl);
  j["tcb"] = tcb;
  j["hw_id"] = ext->hw_id ? json(to_hex(*ext->hw_id)) : json(nullptr);
  return j;
}

// The endorsement failures a remote client is told about: what kind of problem, never a path
// or URL of this server (the appraiser's wording for POST /v1/attest).
std::string endorsement_problem(Errc code) {
  switch (code) {
    case Errc::kNetwork: return "AMD KDS is unavailable; try again later or give the VCEK";
    case Errc::kEndorsementInvalid: return "an endorsement this verifier obtained is unusable";
    default:
      return "no VCEK or VLEK for this evidence is available to this verifier; give the VCEK "
             "(or VLEK) certificate";
  }
}

std::optional<int> exit_code(const InspectConfig& config, Verdict verdict, bool fails_policy) {
  if (!config.exit_code_of) return std::nullopt;
  return config.exit_code_of(verdict, fails_policy);
}

// verify --json's failure object, minus "file": {verified: false, exit_code, error}.
json verify_failure(const InspectConfig& config, Verdict verdict, const std::string& message) {
  json j{{"verified", false}, {"error", message}};
  if (auto code = exit_code(config, verdict, false)) j["exit_code"] = *code;
  return j;
}

TimePoint verification_time(const InspectConfig& config) {
  return config.verification_clock ? config.verification_clock() : std::chrono::system_clock::now();
}

InspectReply inspect_quote(const Request& r, const InspectConfig& config) {
  auto in = tdx::load_quote(as_bytes(r.evidence));
  if (!in) return error_reply(400, in.error().message);
  json out{{"kind", "dcap"}, {"show", tdx::quote_input_to_json(*in)}, {"certificate", nullptr}};
  out["policy"] = {{"toml", nullptr},
                   {"note", "policy from-report writes policies for SEV-SNP reports only"}};
  if (!r.collateral) {
    out["verify"] = verify_failure(
        config, Verdict::kEndorsementProblem,
        "a DCAP quote is verified against its collateral: give the collateral (the PCCS/PCS "
        "JSON: TCB Info, QE Identity, CRLs and issuer chains)");
    return {200, out.dump()};
  }
  auto collateral = tdx::parse_collateral(*r.collateral);
  if (!collateral) {
    out["verify"] = verify_failure(config, Verdict::kEndorsementProblem,
                                   "the collateral: " + collateral.error().message);
    return {200, out.dump()};
  }
  const tdx::DcapResult result = tdx::verify_quote(in->quote, *collateral, {verification_time(config)});
  out["verify"] = tdx::dcap_result_to_json(*in, result, exit_code(config, result.checks.verdict(), false).value_or(0));
  if (!config.exit_code_of) out["verify"].erase("exit_code");
  return {200, out.dump()};
}

InspectReply inspect_report(const Request& r, const InspectConfig& config) {
  auto ev = snp::load_evidence(as_bytes(r.evidence));
  if (!ev) return error_reply(400, ev.error().message);
  const snp::Report report = ev->report().value();  // load_evidence leaves a whole report
  json out{{"kind", "snp"},
           {"show", snp::show_to_json(*ev, snp::decide_product(report, r.product, std::nullopt))},
           {"certificate", nullptr}};
  out["policy"] = {{"toml", nullptr}, {"note", nullptr}};

  endorse::ResolveRequest request;
  request.product = r.product;
  request.crl = config.crl == CrlMode::kOff        ? endorse::CrlPolicy::kOff
                : config.crl == CrlMode::kRequired ? endorse::CrlPolicy::kPrefer
                                                   : endorse::CrlPolicy::kIfAvailable;
  if (r.vcek) {
    auto signer = load_signer(*r.vcek);
    if (!signer) return error_reply(400, signer.error().message);
    request.files.signer = *signer;
    request.files.signer_path = "the given certificate";
  }
  if (!ev->cert_table().empty()) {
    auto table = snp::parse_cert_table(ev->cert_table());
    if (!table) return error_reply(400, "the certificate table: " + table.error().message);
    request.cert_table = std::move(*table);
  }
  const char* not_verified = "the report does not verify; a policy is only written from authentic evidence";
  if (!config.endorsements) {
    out["verify"] = verify_failure(config, Verdict::kEndorsementProblem,
                                   "this verifier has no endorsement sources");
    out["policy"]["note"] = not_verified;
    return {200, out.dump()};
  }
  auto resolution = config.endorsements(report, request);
  if (!resolution) {
    if (resolution.error().code == Errc::kInvalidInput) return error_reply(400, resolution.error().message);
    out["verify"] = verify_failure(config, Verdict::kEndorsementProblem,
                                   endorsement_problem(resolution.error().code));
    out["policy"]["note"] = not_verified;
    return {200, out.dump()};
  }
  VerifiedLinks links;
  const Verifier verifier(*config.roots, links);
  const bool require_crl = r.appraise && config.policy &&
                           (config.policy->require_crl || config.policy->crl == verify::CrlRule::kRequire);
  const VerificationResult result =
      verifier.verify(report, resolution->endorsements, {verification_time(config), r.product, require_crl});
  std::optional<verify::Appraisal> appraisal;
  if (r.appraise && config.policy && result.verified()) {
    appraisal = verify::appraise(report, result.product, *config.policy);
  }
  const bool fails_policy = appraisal && !appraisal->checks.passed();
  json endorsements = json::array();
  std::string signer_piece = "VCEK";
  for (const auto& p : resolution->provenance) {
    // Where each piece came from, by kind: a server's paths and URLs stay in the server.
    endorsements.push_back({{"piece", p.piece}, {"source", endorsement_source_kind(p.origin)}});
    if (p.piece == "VLEK") signer_piece = "VLEK";
  }
  json verified = verification_to_json({*ev, report, result, r.product,
                                        r.appraise ? config.policy : nullptr,
                                        appraisal ? &*appraisal : nullptr,
                                        exit_code(config, result.checks.verdict(), fails_policy).value_or(0),
                                        std::move(endorsements)});
  if (!config.exit_code_of) verified.erase("exit_code");
  out["verify"] = std::move(verified);
  out["certificate"] = certificate_json(resolution->endorsements.signer, signer_piece);
  if (result.verified() && result.product) {
    out["policy"]["toml"] = policy_from_report(report, *result.product, "submitted to the inspector");
  } else {
    out["policy"]["note"] = not_verified;
  }
  return {200, out.dump()};
}

}  // namespace

InspectConfig inspect_config(const AppraiserConfig& appraiser, ExitCodeOf exit_code_of) {
  InspectConfig c;
  c.endorsements = appraiser.endorsements;
  c.roots = appraiser.roots;
  c.crl = appraiser.crl;
  c.policy = &appraiser.policy;
  c.verification_clock = appraiser.verification_clock;
  c.exit_code_of = std::move(exit_code_of);
  return c;
}

InspectReply inspect(std::string_view json_body, const InspectConfig& config) {
  auto request = parse_request(json_body);
  if (!request) return error_reply(400, request.error().message);
  auto decoded = decode_input(as_bytes(request->evidence));
  if (decoded && tdx::looks_like_quote(decoded->data)) return inspect_quote(*request, config);
  return inspect_report(*request, config);
}

}  // namespace veritee::rats
