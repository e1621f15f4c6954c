// The attester's side of the passport model (RFC 9334 section 5.1): challenge, evidence bound
// to the nonce, attest, and the result checked against the verifier's JWKS.
#include "veritee/rats/attest_client.hpp"

#include <algorithm>

#include "veritee/rats/http_client.hpp"

namespace veritee::rats {
namespace {

HttpRequestOptions http_options(std::chrono::milliseconds timeout, const std::string& ca_file) {
  return {timeout, ca_file};
}

// An error answer from the verifier: {"error": "..."} when it sent one.
Error verifier_error(const HttpReply& reply, std::string_view what) {
  auto body = nlohmann::json::parse(reply.body, nullptr, false);
  std::string message = body.is_object() && body.contains("error") && body["error"].is_string()
                            ? body["error"].get<std::string>()
                            : reply.body.substr(0, 200);
  const Errc code = reply.status == 422   ? Errc::kEndorsementMissing
                    : reply.status >= 500 ? Errc::kNetwork
                                          : Errc::kInvalidInput;
  return Error{code, std::string(what) + ": the verifier answered HTTP " +
                         std::to_string(reply.status) + ": " + message};
}

}  // namespace

Result<Challenge> request_challenge(const AttestClientOptions& o) {
  auto reply = http_request("POST", o.verifier_url, "/v1/challenge", "{}", http_options(o.timeout, o.ca_file));
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return std::unexpected(verifier_error(*reply, "challenge"));
  auto body = nlohmann::json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("nonce") || !body["nonce"].is_string()) {
    return fail(Errc::kNetwork, "challenge: the verifier's answer has no \"nonce\"");
  }
  auto nonce = from_base64(body["nonce"].get<std::string>());
  if (!nonce || nonce->empty()) return fail(Errc::kNetwork, "challenge: the nonce is not base64");
  const bool has_expiry = body.contains("expires") && body["expires"].is_string();
  return Challenge{std::move(*nonce), has_expiry ? body["expires"].get<std::string>() : std::string()};
}

nlohmann::json submission_json(const Submission& s) {
  nlohmann::json body = nlohmann::json::object();
  auto put = [&](const char* name, const std::optional<Bytes>& value) {
    if (value) body[name] = to_base64(*value);
  };
  put("report", s.report);
  put("hcl", s.hcl);
  put("vcek", s.vcek);
  put("cert_table", s.cert_table);
  put("nonce", s.nonce);
  put("quote", s.quote);
  if (s.collateral) {
    auto collateral = nlohmann::json::parse(*s.collateral, nullptr, false);
    body["collateral"] = collateral.is_object() ? collateral : nlohmann::json(*s.collateral);
  }
  return body;
}

Result<std::string> submit_evidence(const AttestClientOptions& o, const Submission& s) {
  auto reply = http_request("POST", o.verifier_url, "/v1/attest", submission_json(s).dump(),
                            http_options(o.timeout, o.ca_file));
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) return std::unexpected(verifier_error(*reply, "attest"));
  auto body = nlohmann::json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("ear") || !body["ear"].is_string()) {
    return fail(Errc::kNetwork, "attest: the verifier's answer has no \"ear\"");
  }
  return body["ear"].get<std::string>();
}

Result<Jwks> fetch_jwks(std::string_view url, std::chrono::milliseconds timeout, const std::string& ca_file) {
  auto reply = http_request("GET", url, "", {}, http_options(timeout, ca_file));
  if (!reply) return std::unexpected(reply.error());
  if (reply->status != 200) {
    return fail(Errc::kNetwork, "GET " + std::string(url) + ": HTTP " + std::to_string(reply->status));
  }
  return Jwks::parse(reply->body);
}

Result<AttestOutcome> attest(guest::EvidenceProvider& provider, const AttestClientOptions& o,
                             veritee::TimePoint now) {
  AttestOutcome out;
  auto challenge = request_challenge(o);
  if (!challenge) return std::unexpected(challenge.error());
  out.challenge = std::move(*challenge);
  auto data = report_data_for(out.challenge.nonce, o.binding);
  if (!data) return std::unexpected(data.error());
  out.report_data = *data;

  guest::EvidenceRequest request;
  std::copy(data->begin(), data->end(), request.report_data.begin());
  request.vmpl = o.vmpl;
  request.want_certs = true;
  auto evidence = provider.collect(request);
  if (!evidence) return std::unexpected(evidence.error());
  out.provider = std::string(guest::to_string(evidence->provider));

  Submission s;
  if (evidence->hcl_blob) s.hcl = evidence->hcl_blob;
  else s.report = evidence->report;
  s.cert_table = evidence->cert_table;
  s.nonce = out.challenge.nonce;
  auto ear = submit_evidence(o, s);
  if (!ear) return std::unexpected(ear.error());
  out.ear = std::move(*ear);

  auto keys = fetch_jwks(join_url(o.verifier_url, "/.well-known/jwks.json"), o.timeout);
  if (!keys) return std::unexpected(keys.error());
  ResultCheckOptions check;
  check.now = now;
  check.nonce = out.challenge.nonce;
  check.accept = EarStatus::kAffirming;  // an attester is done only when affirmed
  out.check = check_result(out.ear, *keys, check);
  return out;
}

}  // namespace veritee::rats
