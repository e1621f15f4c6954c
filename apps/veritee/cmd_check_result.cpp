// veritee check-result TOKEN|FILE --jwks FILE|URL [--nonce B64] [--expect-status S]
//                      [--issuer ISS] [--max-age SECONDS] [--at TIME] [--json]
// The relying party's check of an EAR: signature against the verifier's JWKS, issuer,
// freshness, nonce and status, printed as a readable summary.
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "veritee/rats/attest_client.hpp"
#include "veritee/rats/result_check.hpp"

namespace veritee::cli {
namespace {


struct CheckFlags {
  std::string token;
  std::string jwks;
  std::string cacert;  // --cacert FILE for an https:// JWKS URL
  std::string nonce;
  std::string expect = "affirming";
  std::string issuer;
  long max_age = 300;
  std::string at;
  bool json = false;
};

Result<std::string> token_text(const std::string& arg) {
  if (arg == "-") {
    auto bytes = read_fd(0, "stdin");
    if (!bytes) return std::unexpected(bytes.error());
    return std::string(bytes->begin(), bytes->end());
  }
  std::error_code ec;
  if (arg.find('.') != std::string::npos && arg.size() > 64 && !std::filesystem::exists(arg, ec)) {
    return arg;  // the token itself
  }
  auto bytes = read_file(arg);
  if (!bytes) return std::unexpected(bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

Result<rats::Jwks> load_jwks(const std::string& where, const std::string& cacert) {
  if (where.starts_with("http://") || where.starts_with("https://")) {
    return rats::fetch_jwks(where, std::chrono::seconds(30), cacert);
  }
  auto bytes = read_file(where);
  if (!bytes) return std::unexpected(bytes.error());
  auto keys = rats::Jwks::parse(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  if (!keys) return fail(keys.error().code, where + ": " + keys.error().message);
  return keys;
}

int run_check(const CheckFlags& f) {
  rats::ResultCheckOptions o;
  auto now = time_flag(f.at);
  if (!now) return print_error(now.error()), kExitUsage;
  o.now = *now;
  auto accept = rats::parse_ear_status(f.expect);
  if (!accept) return print_error("--expect-status: affirming, warning or contraindicated"), kExitUsage;
  o.accept = *accept;
  if (!f.issuer.empty()) o.issuer = f.issuer;
  if (f.max_age < 0) return print_error("--max-age must be >= 0"), kExitUsage;
  o.max_age = std::chrono::seconds(f.max_age);
  if (!f.nonce.empty()) {
    auto n = from_base64(f.nonce);
    if (!n || n->empty()) return print_error("--nonce: not base64"), kExitUsage;
    o.nonce = *n;
  }
  auto token = token_text(f.token);
  if (!token) return print_error(token.error()), kExitUsage;
  auto keys = load_jwks(f.jwks, f.cacert);
  if (!keys) {
    print_error(keys.error());
    return keys.error().code == Errc::kNetwork ? kExitUnavailable : kExitUsage;
  }
  const rats::ResultCheck result = rats::check_result(*token, *keys, o);
  if (f.json) {
    nlohmann::json checks = nlohmann::json::array();
    for (const Check& c : result.checks.checks) {
      checks.push_back({{"id", c.id}, {"status", std::string(to_string(c.status))}, {"detail", c.detail}});
    }
    nlohmann::json out{{"accepted", result.checks.passed()},
                       {"status", result.status ? std::string(rats::to_string(*result.status)) : "unknown"},
                       {"checks", checks},
                       {"header", result.header},
                       {"claims", result.claims}};
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << rats::summarize(result);
  }
  if (result.malformed) return kExitUsage;
  return result.checks.passed() ? kExitVerified : kExitCheckFailed;
}

const Registration kCheckResult{
    {"check-result", "Check a verifier's signed attestation result (EAR) as a relying party", 80,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<CheckFlags>();
       cmd.add_option("TOKEN", f->token, "the EAR (JWT), a file holding it, or - for stdin")->required();
       cmd.add_option("--jwks", f->jwks, "the verifier's JWK set: a file or its URL "
                                         "(…/.well-known/jwks.json)")
           ->required();
       cmd.add_option("--cacert", f->cacert, "PEM CA certificates an https:// JWKS URL must chain to "
                                             "(default: the system's trust store)")->check(CLI::ExistingFile);
       cmd.add_option("--nonce", f->nonce, "the nonce (base64) the result must carry");
       cmd.add_option("--expect-status", f->expect,
                      "the worst status accepted: affirming, warning or contraindicated")
           ->capture_default_str();
       cmd.add_option("--issuer", f->issuer, "the \"iss\" the result must carry");
       cmd.add_option("--max-age", f->max_age, "seconds since \"iat\" accepted (0: any)")
           ->capture_default_str();
       cmd.add_option("--at", f->at, "check as of this time (RFC 3339); default now");
       cmd.add_flag("--json", f->json, "print JSON: {accepted, status, checks[], header, claims}");
       cmd.footer(
           "Exit codes: 0 accepted; 1 a check failed (signature, issuer, freshness, nonce or "
           "status); 2 usage error or not a JWS; 4 the JWKS URL is unreachable.");
       return [f] { return run_check(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
