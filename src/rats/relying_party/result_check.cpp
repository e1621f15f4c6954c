// Relying-party checks of an EAR: RFC 7515 section 5.2 (JWS validation), RFC 7519 section 7.2
// (claims: iss, iat, exp), RFC 9711 section 4.1 (eat_nonce), draft-ietf-rats-ear section 3
// (eat_profile, ear.status).
#include "veritee/rats/result_check.hpp"

#include <sstream>

#include "veritee/rats/attestation_result.hpp"
#include "veritee/rats/clock.hpp"
#include "veritee/rats/jws.hpp"

namespace veritee::rats {
namespace {

Check make(std::string id, CheckStatus status, std::string detail) {
  return {std::move(id), status, CheckSubject::kEvidence, std::move(detail)};
}
Check pass_fail(std::string id, bool ok, std::string detail) {
  return make(std::move(id), ok ? CheckStatus::kPass : CheckStatus::kFail, std::move(detail));
}

bool accepted(EarStatus status, EarStatus worst) {
  auto rank = [](EarStatus s) {
    switch (s) {
      case EarStatus::kAffirming: return 0;
      case EarStatus::kWarning: return 1;
      case EarStatus::kContraindicated: return 2;
      case EarStatus::kNone: return 3;
    }
    return 3;
  };
  return rank(status) <= rank(worst);
}

std::string time_of(std::int64_t seconds) { return veritee::format_time(from_unix_seconds(seconds)); }

// A string member, or `fallback` when absent or of another type: claims come from a token
// whose signature verified, but not necessarily from veritee.
std::string str(const nlohmann::json& j, const char* key, const std::string& fallback = "") {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

Check freshness(const nlohmann::json& claims, const ResultCheckOptions& o) {
  if (!claims.contains("iat") || !claims["iat"].is_number_integer()) {
    return pass_fail("ear.fresh", false, "the EAR has no integer \"iat\"");
  }
  const auto now = unix_seconds(o.now);
  const auto iat = claims["iat"].get<std::int64_t>();
  std::string detail = "issued " + time_of(iat) + ", now " + time_of(now);
  bool ok = true;
  if (iat > now + o.leeway.count()) {
    ok = false;
    detail += ": issued in the future (leeway " + std::to_string(o.leeway.count()) + " s)";
  }
  if (o.max_age.count() > 0) {
    const auto age = now - iat;
    detail += ", age " + std::to_string(age) + " s (max-age " + std::to_string(o.max_age.count()) + " s)";
    if (age > o.max_age.count()) ok = false;
  }
  // A result that never expires could be replayed forever: "exp" is required.
  if (!claims.contains("exp")) return pass_fail("ear.fresh", false, "the EAR has no \"exp\"");
  if (!claims["exp"].is_number_integer()) return pass_fail("ear.fresh", false, "\"exp\" is not an integer");
  const auto exp = claims["exp"].get<std::int64_t>();
  detail += ", expires " + time_of(exp);
  if (now >= exp + o.leeway.count()) {
    ok = false;
    detail += ": expired";
  }
  return pass_fail("ear.fresh", ok, detail);
}

Check nonce(const nlohmann::json& claims, const ResultCheckOptions& o) {
  if (!o.nonce) {
    return make("ear.nonce", CheckStatus::kSkip,
                "no nonce to compare (--nonce); eat_nonce " +
                    (claims.contains("eat_nonce") ? claims["eat_nonce"].dump() : std::string("absent")));
  }
  if (!claims.contains("eat_nonce") || !claims["eat_nonce"].is_string()) {
    return pass_fail("ear.nonce", false, "the EAR has no eat_nonce; expected " + to_base64url(*o.nonce));
  }
  const std::string got = claims["eat_nonce"].get<std::string>();
  auto bytes = from_base64(got);
  const bool ok = bytes && *bytes == *o.nonce;
  return pass_fail("ear.nonce", ok,
                   "eat_nonce " + got + (ok ? " equals " : " differs from ") + "the expected nonce " +
                       to_base64url(*o.nonce));
}

// The worst status over the submods (one, "SEV-SNP", from veritee).
Check status(const nlohmann::json& claims, const ResultCheckOptions& o, std::optional<EarStatus>& out) {
  if (!claims.contains("submods") || !claims["submods"].is_object() || claims["submods"].empty()) {
    return pass_fail("ear.status", false, "the EAR has no submods");
  }
  std::string detail;
  std::optional<EarStatus> worst;
  for (const auto& [name, submod] : claims["submods"].items()) {
    if (!submod.is_object() || !submod.contains("ear.status") || !submod["ear.status"].is_string()) {
      return pass_fail("ear.status", false, "submod " + name + " has no ear.status");
    }
    auto s = parse_ear_status(submod["ear.status"].get<std::string>());
    if (!s) return pass_fail("ear.status", false, "submod " + name + ": unknown ear.status " + submod["ear.status"].dump());
    detail += (detail.empty() ? "" : ", ") + std::string(to_string(*s)) + " (submod " + name + ")";
    if (!worst || !accepted(*s, *worst)) worst = *s;
  }
  out = worst;
  const bool ok = accepted(*worst, o.accept);
  return pass_fail("ear.status", ok,
                   "ear.status " + detail + (ok ? "; accepted (" : "; not accepted (") +
                       "--expect-status " + std::string(to_string(o.accept)) + ")");
}

}  // namespace

ResultCheck check_result(std::string_view token, const Jwks& keys, const ResultCheckOptions& o) {
  ResultCheck out;
  auto trimmed = token;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
  if (auto decoded = jws_decode(trimmed)) out.header = decoded->header;
  auto verified = jws_verify(trimmed, keys);
  if (!verified) {
    out.malformed = verified.error().code == Errc::kInvalidInput;
    out.checks.add(pass_fail("ear.signature", false, verified.error().message));
    return out;
  }
  out.checks.add(pass_fail("ear.signature", true,
                           std::string(to_string(verified->alg)) + " signature verifies with key " +
                               verified->kid + " of the JWK set"));
  out.claims = verified->jws.payload;
  const auto& claims = out.claims;

  const std::string profile = str(claims, "eat_profile");
  out.checks.add(pass_fail("ear.profile", profile == kEarProfile,
                           "eat_profile \"" + profile + "\"" +
                               (profile == kEarProfile ? " is " : " is not ") + kEarProfile));
  const std::string iss = str(claims, "iss");
  if (o.issuer) {
    out.checks.add(pass_fail("ear.issuer", iss == *o.issuer,
                             "iss \"" + iss + "\"" + (iss == *o.issuer ? " equals " : " differs from ") +
                                 "the expected \"" + *o.issuer + "\""));
  } else {
    out.checks.add(make("ear.issuer", CheckStatus::kSkip, "no expected issuer (--issuer); iss \"" + iss + "\""));
  }
  out.checks.add(freshness(claims, o));
  out.checks.add(nonce(claims, o));
  out.checks.add(status(claims, o, out.status));
  return out;
}

std::string summarize(const ResultCheck& r) {
  std::ostringstream s;
  const auto& c = r.claims;
  if (c.is_object()) {
    s << "EAR from " << str(c, "iss", "?");
    if (c.contains("ear.verifier-id")) s << " (" << str(c["ear.verifier-id"], "build", "?") << ")";
    if (c.contains("iat") && c["iat"].is_number_integer()) s << ", issued " << time_of(c["iat"].get<std::int64_t>());
    s << '\n';
    if (c.contains("submods") && c["submods"].is_object()) {
      for (const auto& [name, sub] : c["submods"].items()) {
        if (!sub.is_object()) continue;
        s << "submod " << name << ": " << str(sub, "ear.status", "?") << '\n';
        s << "  policy: " << str(sub, "ear.appraisal-policy-id", "?") << '\n';
        if (sub.contains("ear.trustworthiness-vector") && sub["ear.trustworthiness-vector"].is_object()) {
          s << "  trustworthiness vector:";
          for (const auto& [k, v] : sub["ear.trustworthiness-vector"].items()) {
            if (!v.is_number_integer()) continue;
            int value = v.get<int>();
            s << ' ' << k << '=' << value << " (" << to_string(tier_of(value)) << ')';
          }
          s << '\n';
        }
        if (sub.contains("veritee.report") && sub["veritee.report"].is_object()) {
          const auto& rep = sub["veritee.report"];
          auto raw = [&](const char* k) { return rep.contains(k) ? rep[k].dump() : std::string("?"); };
          s << "  report: version " << raw("version") << ", product " << raw("product")
            << ", signing key " << raw("signing_key") << '\n'
            << "  measurement: " << str(rep, "measurement", "?") << '\n'
            << "  chip_id: " << str(rep, "chip_id", "?") << '\n';
        }
        if (sub.contains("veritee.failed-checks") && sub["veritee.failed-checks"].is_array()) {
          std::string failed;
          for (const auto& id : sub["veritee.failed-checks"]) {
            if (id.is_string()) failed += (failed.empty() ? "" : ", ") + id.get<std::string>();
          }
          s << "  failed at the verifier: " << (failed.empty() ? "none" : failed) << '\n';
        }
        if (const auto binding = str(sub, "veritee.nonce-binding"); !binding.empty()) {
          s << "  nonce bound as: " << binding << '\n';
        }
      }
    }
  }
  s << "relying-party checks:\n";
  for (const Check& check : r.checks.checks) {
    std::string st(to_string(check.status));
    for (char& ch : st) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    s << "  " << st << "  " << check.id;
    for (std::size_t i = check.id.size(); i < 14; ++i) s << ' ';
    s << ' ' << check.detail << '\n';
  }
  s << (r.checks.passed() ? "accepted\n" : "NOT accepted\n");
  return s.str();
}

}  // namespace veritee::rats
