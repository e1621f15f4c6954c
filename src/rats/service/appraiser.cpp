// The Verifier pipeline (RFC 9334 section 3): evidence -> endorsements -> authenticity ->
// freshness (nonce) -> appraisal policy -> attestation result.
#include "veritee/rats/appraiser.hpp"

#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/hcl_report.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/verify/verifier.hpp"
#include "rats/service/json_depth.hpp"

#include <algorithm>

namespace veritee::rats {

using verify::CrlRule;

Result<Submission> parse_submission(std::string_view json_body) {
  // A submission is one flat object; 8 leaves room and refuses hostile nesting.
  constexpr std::size_t kMaxDepth = 8;
  if (detail::nesting_depth(json_body, kMaxDepth) > kMaxDepth) {
    return fail(Errc::kInvalidInput, "the request body nests JSON deeper than " +
                                         std::to_string(kMaxDepth) + " levels");
  }
  auto doc = nlohmann::json::parse(json_body, nullptr, false);
  if (doc.is_discarded()) return fail(Errc::kInvalidInput, "the request body is not JSON");
  if (!doc.is_object()) return fail(Errc::kInvalidInput, "the request body must be a JSON object");
  Submission s;
  for (const auto& [key, value] : doc.items()) {
    std::optional<Bytes>* slot = key == "report"       ? &s.report
                                 : key == "hcl"        ? &s.hcl
                                 : key == "vcek"       ? &s.vcek
                                 : key == "cert_table" ? &s.cert_table
                                 : key == "nonce"      ? &s.nonce
                                                       : nullptr;
    if (!slot) {
      return fail(Errc::kInvalidInput, "unknown member \"" + key +
                                           "\" (report, hcl, vcek, cert_table, nonce)");
    }
    if (!value.is_string()) {
      return fail(Errc::kInvalidInput, "\"" + key + "\" must be a base64 string");
    }
    auto bytes = from_base64(value.get<std::string>());
    if (!bytes) return fail(Errc::kInvalidInput, "\"" + key + "\": " + bytes.error().message);
    *slot = std::move(*bytes);
  }
  return s;
}

namespace {

Check make(std::string id, bool ok, std::string detail) {
  return {std::move(id), ok ? CheckStatus::kPass : CheckStatus::kFail, CheckSubject::kEvidence,
          std::move(detail)};
}

// The evidence as a report view, and the HCL blob around it when there is one. `holder` keeps
// the bytes the views point into.
struct Unwrapped {
  snp::Evidence holder;
  std::optional<snp::HclReport> hcl;
  std::string kind;
};

Result<Unwrapped> unwrap(const Submission& s) {
  if (s.report && s.hcl) return fail(Errc::kInvalidInput, "give \"report\" or \"hcl\", not both");
  if (!s.report && !s.hcl) {
    return fail(Errc::kInvalidInput, "no evidence: give \"report\" (base64) or \"hcl\" (base64)");
  }
  Unwrapped u;
  if (s.hcl) {
    u.holder.data = *s.hcl;
    u.holder.container = snp::Container::kAzureHcl;
  } else {
    auto ev = snp::load_evidence(*s.report);
    if (!ev) return fail(Errc::kInvalidInput, "\"report\": " + ev.error().message);
    u.holder = std::move(*ev);
  }
  if (u.holder.container == snp::Container::kAzureHcl) {
    auto hcl = snp::parse_hcl_report(u.holder.data);
    if (!hcl) return fail(Errc::kInvalidInput, "\"hcl\": " + hcl.error().message);
    u.hcl = *hcl;
    u.holder.report_offset = snp::kHclReportOffset;
  }
  u.kind = std::string(snp::to_string(u.holder.container));
  return u;
}

// The request's own endorsements: a DER (or PEM) signer certificate and the certificate table.
// Why no CRL was held, in words for a remote client: never a server path (the resolver's own
// account names cache files).
std::string crl_reason(const std::string& why) {
  if (why.find("KDS is unavailable") != std::string::npos) return "AMD KDS is unavailable (circuit open)";
  if (why.find("rate limit") != std::string::npos) return "the KDS rate limit deferred the fetch";
  if (auto at = why.find("answered HTTP "); at != std::string::npos) {
    return "AMD KDS answered HTTP " + why.substr(at + 14, 3);
  }
  if (why.find("GET ") != std::string::npos) return "the CRL could not be fetched from AMD KDS";
  if (why.find("not current") != std::string::npos) return "AMD KDS served a CRL that is not current";
  if (why.find("offline") != std::string::npos) return "none current in the cache, and this verifier is offline";
  return "none cached";
}

// A missing CRL never fails the request: the policy's `crl` rule turns it into a failed check
// ("require") or a warning ("prefer", online) in the result instead.
Result<endorse::ResolveRequest> request_endorsements(const Submission& s, CrlMode crl, CrlRule rule) {
  endorse::ResolveRequest req;
  req.crl = crl == CrlMode::kOff || rule == CrlRule::kSkip ? endorse::CrlPolicy::kOff
            : crl == CrlMode::kRequired                    ? endorse::CrlPolicy::kPrefer
                                                           : endorse::CrlPolicy::kIfAvailable;
  if (s.vcek) {
    auto certs = x509::Certificate::load_all(*s.vcek);
    if (!certs || certs->size() != 1) {
      return fail(Errc::kInvalidInput, "\"vcek\": expected one DER certificate" +
                                           (certs ? std::string() : ": " + certs.error().message));
    }
    req.files.signer = certs->front();
    req.files.signer_path = "\"vcek\" of the request";
  }
  if (s.cert_table) {
    auto table = snp::parse_cert_table(*s.cert_table);
    if (!table) return fail(Errc::kInvalidInput, "\"cert_table\": " + table.error().message);
    for (const auto& entry : *table) {
      if (entry.role == "unknown") continue;
      if (auto certs = x509::Certificate::load_all(entry.data); !certs) {
        return fail(Errc::kInvalidInput, "\"cert_table\" entry " + entry.guid + " (" + entry.role +
                                             "): " + certs.error().message);
      }
    }
    req.cert_table = std::move(*table);
  }
  return req;
}

Check nonce_validity(const NonceVerdict& v, ByteView nonce, veritee::TimePoint now) {
  std::string detail = "nonce (" + std::to_string(nonce.size()) + " bytes) " +
                       std::string(to_string(v.state));
  if (v.expires) {
    detail += (v.state == NonceState::kExpired ? ": expired at " : ", expires ") +
              veritee::format_time(*v.expires) + ", now " + veritee::format_time(now);
  }
  if (v.state == NonceState::kValid) detail += "; issued by this verifier, first use";
  return make("nonce.valid", v.state == NonceState::kValid, detail);
}

// REPORT_DATA (or the HCL runtime claims' "user-data") equals the nonce padded or its SHA-512.
Check nonce_bound(const snp::Report& report, const std::optional<snp::HclReport>& hcl,
                  ByteView nonce, std::optional<NonceBinding>& binding) {
  std::string field = "REPORT_DATA";
  Bytes data(report.report_data().begin(), report.report_data().end());
  if (hcl) {
    field = "the HCL runtime claims' user-data";
    auto claims = nlohmann::json::parse(hcl->runtime_claims.begin(), hcl->runtime_claims.end(),
                                        nullptr, false);
    if (claims.is_discarded() || !claims.is_object() || !claims.contains("user-data") ||
        !claims["user-data"].is_string()) {
      return make("nonce.bound", false, "the HCL runtime claims have no \"user-data\" string to bind the nonce");
    }
    auto user = from_hex(claims["user-data"].get<std::string>());
    if (!user || user->size() != 64) {
      return make("nonce.bound", false, "the HCL runtime claims' user-data is not 64 bytes of hex");
    }
    data = std::move(*user);
  }
  binding = find_nonce_binding(data, nonce);
  if (binding == NonceBinding::kSha512) {
    return make("nonce.bound", true, field + " " + to_hex(data) + " equals SHA-512(nonce)");
  }
  if (binding == NonceBinding::kPadded) {
    return make("nonce.bound", true, field + " " + to_hex(data) + " equals the nonce zero-padded to 64 bytes");
  }
  auto padded = report_data_for(nonce, NonceBinding::kPadded);
  auto hashed = report_data_for(nonce, NonceBinding::kSha512);
  return make("nonce.bound", false,
              field + " " + to_hex(data) + " is neither the nonce zero-padded (" +
                  (padded ? to_hex(*padded) : "too long to pad") + ") nor SHA-512(nonce) (" +
                  (hashed ? to_hex(*hashed) : "-") + ")");
}

Check runtime_claims_bound(const snp::HclReport& hcl) {
  auto bound = hcl.runtime_claims_bound();
  if (!bound) return make("hcl.runtime_claims", false, bound.error().message);
  return make("hcl.runtime_claims", *bound,
              std::string("REPORT_DATA[0:32] ") + (*bound ? "equals" : "differs from") +
                  " the hash (hash_type " + std::to_string(hcl.hash_type) + ") of the " +
                  std::to_string(hcl.runtime_claims.size()) + "-byte runtime claims");
}

}  // namespace

Result<AttestationResult> Appraiser::appraise(const Submission& s,
                                              std::vector<endorse::Provenance>* provenance) const {
  const AppraisalPolicy& policy = config_.policy;
  auto evidence = unwrap(s);
  if (!evidence) return std::unexpected(evidence.error());
  auto report = evidence->holder.report();
  if (!report) return fail(Errc::kInvalidInput, "the report: " + report.error().message);
  if (s.nonce && (s.nonce->empty() || s.nonce->size() > 1024)) {
    return fail(Errc::kInvalidInput, "\"nonce\" must be 1 to 1024 bytes");
  }
  if (policy.require_nonce && !s.nonce) {
    return fail(Errc::kInvalidInput,
                "the policy requires a nonce: POST /v1/challenge, bind the nonce in REPORT_DATA "
                "and send it as \"nonce\"");
  }
  auto request = request_endorsements(s, config_.crl, policy.crl);
  if (!request) return std::unexpected(request.error());
  auto resolution = config_.endorsements(*report, *request);
  if (!resolution) return std::unexpected(resolution.error());
  if (provenance) *provenance = resolution->provenance;

  AttestationResult out;
  out.appraised_at = config_.clock();
  const veritee::TimePoint verify_at =
      config_.verification_clock ? config_.verification_clock() : out.appraised_at;
  const VerifyOptions options{verify_at, std::nullopt,
                              policy.require_crl || policy.crl == CrlRule::kRequire};
  const Verifier verifier(*config_.roots, links_);
  VerificationResult verified = verifier.verify(*report, resolution->endorsements, options);
  out.checks = std::move(verified.checks);
  // "prefer" online: no current CRL held (KDS unreachable, circuit open, none cached) is a
  // warning naming the reason, never a blocked or failed request.
  std::string crl_why;
  for (const auto& p : resolution->provenance) {
    if (p.is_crl()) crl_why = p.source;
  }
  const bool crl_missing_online = config_.crl == CrlMode::kRequired && policy.crl == CrlRule::kPrefer;
  if (evidence->hcl) out.checks.add(runtime_claims_bound(*evidence->hcl));
  if (s.nonce && !config_.nonces) {
    out.checks.add(make("nonce.valid", false, "this verifier issues no nonces, so none is valid"));
    out.checks.add(nonce_bound(*report, evidence->hcl, *s.nonce, out.binding));
    out.nonce = s.nonce;
  } else if (s.nonce) {
    const NonceVerdict v = config_.nonces->redeem(*s.nonce, out.appraised_at);
    // A nonce that cannot be checked is not a result about the evidence: the request fails
    // (HTTP 503) and the client asks again.
    if (v.state == NonceState::kUnavailable) {
      return fail(Errc::kNetwork, std::string(kNonceStoreUnavailable));
    }
    out.checks.add(nonce_validity(v, *s.nonce, out.appraised_at));
    out.checks.add(nonce_bound(*report, evidence->hcl, *s.nonce, out.binding));
    out.nonce = s.nonce;
  } else {
    out.checks.add({"nonce", CheckStatus::kSkip, CheckSubject::kEvidence,
                    "no nonce given; the policy has require_nonce = false (freshness not checked)"});
  }
  verify::Appraisal appraisal = verify::appraise(*report, verified.product, policy);
  for (auto& c : appraisal.checks.checks) out.checks.add(std::move(c));
  out.warnings = std::move(appraisal.warnings);
  // "require" without a CRL: the failed check says why there was none.
  const bool crl_absent = !resolution->endorsements.crl && config_.crl != CrlMode::kOff;
  for (auto& c : out.checks.checks) {
    if (c.id != "chain.crl") continue;
    if (crl_missing_online && c.status == CheckStatus::kSkip) {
      c.detail += "; no current CRL held: " + crl_reason(crl_why);
      out.warnings.insert("chain.crl");
    } else if (crl_absent && c.status == CheckStatus::kFail) {
      c.detail += "; no current CRL held: " + crl_reason(crl_why);
    }
  }
  out.status = derive_status(out.checks, out.warnings);
  out.vector = derive_trust_vector(out.checks, out.warnings);
  out.report = snp::report_to_json(*report, snp::decide_product(*report, std::nullopt, verified.product));
  out.evidence = evidence->kind;
  out.policy_id = policy.id;
  return out;
}

}  // namespace veritee::rats
