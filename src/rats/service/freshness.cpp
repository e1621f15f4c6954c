// The nonce checks of every evidence family (freshness.hpp).
#include "rats/service/freshness.hpp"

namespace veritee::rats::detail {
namespace {

Check make(std::string id, bool ok, std::string detail) {
  return {std::move(id), ok ? CheckStatus::kPass : CheckStatus::kFail, CheckSubject::kEvidence,
          std::move(detail)};
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

// The field equals the nonce padded or its SHA-512.
Check nonce_bound(const NonceTarget& target, ByteView nonce, std::optional<NonceBinding>& binding) {
  if (!target.data) return make("nonce.bound", false, target.missing);
  const Bytes& data = *target.data;
  binding = find_nonce_binding(data, nonce);
  if (binding == NonceBinding::kSha512) {
    return make("nonce.bound", true, target.field + " " + to_hex(data) + " equals SHA-512(nonce)");
  }
  if (binding == NonceBinding::kPadded) {
    return make("nonce.bound", true,
                target.field + " " + to_hex(data) + " equals the nonce zero-padded to 64 bytes");
  }
  auto padded = report_data_for(nonce, NonceBinding::kPadded);
  auto hashed = report_data_for(nonce, NonceBinding::kSha512);
  return make("nonce.bound", false,
              target.field + " " + to_hex(data) + " is neither the nonce zero-padded (" +
                  (padded ? to_hex(*padded) : "too long to pad") + ") nor SHA-512(nonce) (" +
                  (hashed ? to_hex(*hashed) : "-") + ")");
}

}  // namespace

Result<void> nonce_rule(const Submission& s, const verify::AppraisalPolicy& policy,
                        std::string_view field) {
  if (s.nonce && (s.nonce->empty() || s.nonce->size() > 1024)) {
    return fail(Errc::kInvalidInput, "\"nonce\" must be 1 to 1024 bytes");
  }
  if (policy.require_nonce && !s.nonce) {
    return fail(Errc::kInvalidInput, "the policy requires a nonce: POST /v1/challenge, bind the nonce in " +
                                         std::string(field) + " and send it as \"nonce\"");
  }
  return {};
}

Result<void> add_nonce_checks(const Submission& s, NonceService* nonces, const NonceTarget& target,
                              AttestationResult& out) {
  if (!s.nonce) {
    out.checks.add({"nonce", CheckStatus::kSkip, CheckSubject::kEvidence,
                    "no nonce given; the policy has require_nonce = false (freshness not checked)"});
    return {};
  }
  if (!nonces) {
    out.checks.add(make("nonce.valid", false, "this verifier issues no nonces, so none is valid"));
  } else {
    const NonceVerdict v = nonces->redeem(*s.nonce, out.appraised_at);
    // A nonce that cannot be checked is not a result about the evidence: the request fails
    // (HTTP 503) and the client asks again.
    if (v.state == NonceState::kUnavailable) return fail(Errc::kNetwork, std::string(kNonceStoreUnavailable));
    out.checks.add(nonce_validity(v, *s.nonce, out.appraised_at));
  }
  out.checks.add(nonce_bound(target, *s.nonce, out.binding));
  out.nonce = s.nonce;
  return {};
}

}  // namespace veritee::rats::detail
