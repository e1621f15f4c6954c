// veritee attest --verifier URL [--provider auto|ioctl|tsm|azure] [--binding sha512|padded]
//                [--evidence FILE [--vcek F] [--cert-table F] [--collateral F] [--nonce B64]]
//                [--out FILE]
// The attester's client: by default the passport flow (challenge, a fresh report bound to the
// nonce, attest); with --evidence it forwards stored evidence (the background-check model,
// where a relying party relays what the attester gave it): an SNP report, or an Intel SGX/TDX
// DCAP quote with, optionally, its collateral JSON. The EAR goes to stdout (or --out),
// its summary to stderr. Exit 0 only for an affirming result.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "guest_options.hpp"
#include "output.hpp"
#include "veritee/common/encoding.hpp"
#include "veritee/rats/attest_client.hpp"
#include "veritee/rats/http_client.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/verify/result_json.hpp"

namespace veritee::cli {
namespace {

struct AttestFlags {
  std::string verifier;
  std::string binding = "sha512";
  int vmpl = -1;
  double timeout = 30.0;
  std::string cacert;  // --cacert FILE
  std::string evidence;
  std::string vcek;
  std::string cert_table;
  std::string collateral;  // DCAP quotes
  std::string nonce;
  std::string out;
  GuestFlags guest;
};

int exit_for(const Error& e) {
  print_error(e);
  switch (e.code) {
    case Errc::kInvalidInput:
    case Errc::kTruncated:
    case Errc::kUnknownVersion:
    case Errc::kUnsupported: return kExitUsage;
    case Errc::kEndorsementMissing:
    case Errc::kEndorsementInvalid: return kExitEndorsement;
    default: return kExitUnavailable;  // device, provider or verifier unavailable
  }
}

// --evidence with a DCAP quote: the quote as read (any encoding, sent as its bytes) and the
// collateral file's text, which must be a JSON object (the service reads its pieces).
Result<rats::Submission> stored_quote(const AttestFlags& f, const Bytes& bytes) {
  if (!f.vcek.empty() || !f.cert_table.empty()) {
    return fail(Errc::kInvalidInput, f.evidence + " is a DCAP quote: --vcek and --cert-table are for SNP reports "
                                     "(a quote carries its PCK chain; give --collateral for the rest)");
  }
  auto in = tdx::load_quote(bytes);
  if (!in) return fail(Errc::kInvalidInput, f.evidence + ": " + in.error().message);
  rats::Submission s;
  s.quote = Bytes(in->quote.bytes().begin(), in->quote.bytes().end());
  if (!f.collateral.empty()) {
    auto text = read_file(f.collateral);
    if (!text) return std::unexpected(text.error());
    std::string json(reinterpret_cast<const char*>(text->data()), text->size());
    if (!nlohmann::json::parse(json, nullptr, false).is_object()) {
      return fail(Errc::kInvalidInput, f.collateral + ": not a JSON object (the collateral JSON of docs/dcap.md)");
    }
    s.collateral = std::move(json);
  }
  return s;
}

// --evidence with an SNP report: the report (any container) and its endorsements, as they are.
Result<rats::Submission> stored_report(const AttestFlags& f, const Bytes& bytes) {
  if (!f.collateral.empty()) {
    return fail(Errc::kInvalidInput, f.evidence + " is not a DCAP quote: --collateral is for quotes");
  }
  rats::Submission s;
  auto ev = snp::load_evidence(bytes);
  if (!ev) return fail(Errc::kInvalidInput, f.evidence + ": " + ev.error().message);
  if (ev->container == snp::Container::kAzureHcl) s.hcl = ev->data;
  else s.report = Bytes(ev->report_bytes().begin(), ev->report_bytes().end());
  if (!f.vcek.empty()) {
    auto certs = x509::Certificate::load_file(f.vcek);
    if (!certs || certs->empty()) return fail(Errc::kInvalidInput, f.vcek + ": not a certificate");
    s.vcek = certs->front().der();
  }
  if (!f.cert_table.empty()) {
    auto table = read_file(f.cert_table);
    if (!table) return std::unexpected(table.error());
    s.cert_table = *table;
  } else if (!ev->cert_table().empty()) {  // go-sev-guest `attest -extended` output
    s.cert_table = Bytes(ev->cert_table().begin(), ev->cert_table().end());
  }
  return s;
}

// --evidence: a stored SNP report or DCAP quote, and what goes with it.
Result<rats::Submission> stored_submission(const AttestFlags& f) {
  auto bytes = read_file(f.evidence);
  if (!bytes) return std::unexpected(bytes.error());
  auto decoded = decode_input(*bytes);
  auto s = decoded && tdx::looks_like_quote(decoded->data) ? stored_quote(f, *bytes) : stored_report(f, *bytes);
  if (!s) return s;
  if (!f.nonce.empty()) {
    auto n = from_base64(f.nonce);
    if (!n) return fail(Errc::kInvalidInput, "--nonce: " + n.error().message);
    s->nonce = *n;
  }
  return s;
}

int finish(const AttestFlags& f, const std::string& ear, const rats::ResultCheck& check) {
  if (!f.out.empty()) {
    if (auto ok = write_output(f.out, as_bytes(ear + "\n"), 0644); !ok) return exit_for(ok.error());
  } else if (!output().json) {
    payload() << ear << std::endl;
  }
  const bool affirming = check.checks.passed() && check.status == rats::EarStatus::kAffirming;
  if (output().json) {  // docs/json.md "veritee attest --json"
    emit_json({{"ear", ear}, {"out", f.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.out)},
               {"status", check.status ? std::string(rats::to_string(*check.status)) : "unknown"},
               {"affirming", affirming}, {"checks", checks_to_json(check.checks)},
               {"exit_code", affirming ? kExitVerified : kExitCheckFailed}});
    return affirming ? kExitVerified : kExitCheckFailed;
  }
  std::cerr << rats::summarize(check);
  std::cerr << "status: " << (check.status ? std::string(rats::to_string(*check.status)) : "unknown")
            << (affirming ? "" : " (not affirming)") << '\n';
  return affirming ? kExitVerified : kExitCheckFailed;
}

int run_attest(const AttestFlags& f) {
  rats::AttestClientOptions o;
  o.verifier_url = f.verifier;
  o.timeout = std::chrono::milliseconds(static_cast<long>(f.timeout * 1000));
  o.ca_file = f.cacert;
  auto binding = rats::parse_nonce_binding(f.binding);
  if (!binding) return exit_for(binding.error());
  o.binding = *binding;
  if (f.vmpl >= 0) o.vmpl = static_cast<std::uint32_t>(f.vmpl);
  const auto now = std::chrono::system_clock::now();

  if (!f.evidence.empty()) {
    auto s = stored_submission(f);
    if (!s) return print_error(s.error()), kExitUsage;  // unreadable or malformed input
    auto ear = rats::submit_evidence(o, *s);
    if (!ear) return exit_for(ear.error());
    auto keys = rats::fetch_jwks(rats::join_url(f.verifier, "/.well-known/jwks.json"), o.timeout, o.ca_file);
    if (!keys) return exit_for(keys.error());
    rats::ResultCheckOptions check;
    check.now = now;
    check.nonce = s->nonce;
    check.accept = rats::EarStatus::kAffirming;  // exit 0 only for an affirming result
    return finish(f, *ear, rats::check_result(*ear, *keys, check));
  }
  if (!f.vcek.empty() || !f.cert_table.empty() || !f.collateral.empty() || !f.nonce.empty()) {
    print_error("--vcek, --cert-table, --collateral and --nonce go with --evidence");
    return kExitUsage;
  }
  auto provider = f.guest.open();
  if (!provider) return provider_failure(provider.error());
  auto outcome = rats::attest(**provider, o, now);
  if (!outcome) return exit_for(outcome.error());
  std::cerr << "evidence from " << outcome->provider << ", REPORT_DATA = " << f.binding
            << " of the verifier's nonce (expires " << outcome->challenge.expires << ")\n";
  return finish(f, outcome->ear, outcome->check);
}

const Registration kAttest{
    {"attest", "Attest this guest to a verifier (veritee serve) and print the signed result", 70,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<AttestFlags>();
       cmd.add_option("--verifier", f->verifier, "the verifier's URL, e.g. http://10.0.0.1:8080")
           ->required();
       f->guest.add_provider_flag(cmd);
       f->guest.add_location_flags(cmd);
       cmd.add_option("--binding", f->binding,
                      "how the nonce goes into REPORT_DATA: sha512 (SHA-512 of it) or padded")
           ->capture_default_str();
       cmd.add_option("--vmpl", f->vmpl, "VMPL to request the report at (ioctl, tsm)");
       cmd.add_option("--evidence", f->evidence,
                      "send this stored report (or HCL blob, or Intel DCAP quote) instead of asking "
                      "the guest for one");
       cmd.add_option("--vcek", f->vcek, "with --evidence: the VCEK/VLEK to send along");
       cmd.add_option("--cert-table", f->cert_table, "with --evidence: the certificate table");
       cmd.add_option("--collateral", f->collateral,
                      "with --evidence and a DCAP quote: its collateral JSON to send along "
                      "(else the verifier finds it)");
       cmd.add_option("--nonce", f->nonce, "with --evidence: the nonce (base64) it is bound to");
       cmd.add_option("--out", f->out, "write the EAR here instead of stdout");
       cmd.add_option("--timeout", f->timeout, "seconds per HTTP request")->capture_default_str();
       cmd.add_option("--cacert", f->cacert, "PEM CA certificates an https:// verifier must chain to "
                                             "(default: the system's trust store)")->check(CLI::ExistingFile);
       cmd.footer(
           "Exit codes: 0 the result is affirming; 1 it is not (warning or contraindicated); "
           "2 usage error or the verifier refused the request as malformed; 3 the verifier has "
           "no endorsement for the evidence; 4 the device, provider or verifier is "
           "unavailable.");
       return [f] { return run_attest(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
