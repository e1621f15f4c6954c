// veritee verify [--json|--quiet] [--vcek F] [--chain F]... [--crl F] [--cert-table F] [--at T]
//                [--product P] [--endorsements DIR] [--offline] [--no-crl] [--kds-url U]
//                [--policy FILE] [--measurement HEX]... [per-field options] FILE:
// authenticity of a report against AMD's chain, every check reported, then (with a policy)
// appraisal against reference values. Endorsements come from the sources in their documented
// order (certificate table, files, bundle, cache, KDS); with --vcek the endorsements are the
// user's and no cache or network is used.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <iostream>
#include <memory>

#include "appraisal_options.hpp"
#include "cli_common.hpp"
#include "command_registry.hpp"
#include "dcap_cli.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "verify_options.hpp"
#include "veritee/verify/batch_verifier.hpp"
#include "veritee/verify/result_json.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::cli {
namespace {

struct Flags {
  VerifyFlags verify;
  AppraisalFlags appraisal;
  std::string collateral;  // DCAP quotes
};

// Whether an endorsement came from somewhere the user did not name (table, bundle, cache, KDS).
bool worth_showing(const std::vector<endorse::Provenance>& provenance) {
  for (const auto& p : provenance) {
    if (p.origin != endorse::Origin::kFile && p.origin != endorse::Origin::kPinned &&
        p.origin != endorse::Origin::kAbsent) {
      return true;
    }
  }
  return false;
}

// The appraisal of one verified report, when a policy was given.
struct Appraised {
  const verify::AppraisalPolicy* policy = nullptr;
  std::optional<verify::Appraisal> appraisal;  // absent: not authentic, so not appraised

  bool failed() const { return appraisal && !appraisal->checks.passed(); }
};

Appraised appraise(const verify::AppraisalPolicy* policy, const snp::Report& report,
                   const VerificationResult& result) {
  Appraised out{policy, std::nullopt};
  if (policy && result.verified()) out.appraisal = verify::appraise(report, result.product, *policy);
  return out;
}

// 0, 1 or 3 from the authenticity checks; 5 when authentic evidence fails the policy.
int exit_code(const VerificationResult& result, const Appraised& a) {
  return exit_code_with_policy(result.checks.verdict(), a.failed());
}

void print_check(const Check& c) {
  std::string status(to_string(c.status));
  for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::cout << "  " << status << "  " << c.id;
  for (std::size_t i = c.id.size(); i < 18; ++i) std::cout << ' ';
  std::cout << ' ' << c.detail << '\n';
}

void print_text(const snp::Evidence& ev, const snp::Report& report,
                const VerificationResult& result, const endorse::Resolution& resolution,
                const Appraised& a) {
  std::cout << "evidence: " << ev.describe() << ", report version " << report.version() << '\n';
  if (worth_showing(resolution.provenance)) {
    for (const auto& p : resolution.provenance) {
      const bool place = p.origin != endorse::Origin::kPinned &&
                         p.origin != endorse::Origin::kAbsent && p.origin != endorse::Origin::kNotUsed;
      std::cout << "endorsement: " << p.piece << (place ? " from " : ": ") << p.source << '\n';
    }
  }
  for (const Check& c : result.checks.checks) print_check(c);
  if (a.appraisal) {
    for (const Check& c : a.appraisal->checks.checks) print_check(c);
  }
  std::cout << (result.verified() ? "verified: the report is authentic AMD SEV-SNP evidence\n"
                                  : "NOT verified\n");
  if (!a.policy) return;
  const std::string name = a.policy->source == a.policy->id
                               ? "the policy of the " + a.policy->id
                               : "policy " + a.policy->source + " (" + a.policy->id + ")";
  if (!a.appraisal) {
    std::cout << "not appraised against " << name << ": the evidence is not authentic\n";
    return;
  }
  std::vector<std::string> failed;
  for (const Check& c : a.appraisal->checks.checks) {
    if (!c.ok()) failed.push_back(c.id);
  }
  if (failed.empty()) {
    std::cout << "appraised: meets " << name;
    if (!a.appraisal->warnings.empty()) std::cout << ", with warnings";
    std::cout << '\n';
    return;
  }
  std::cout << "appraised: FAILS " << name << ": ";
  for (std::size_t i = 0; i < failed.size(); ++i) std::cout << (i ? ", " : "") << failed[i];
  std::cout << '\n';
}

// {"id", "source", "appraised", "passed", "warnings"}: docs/json.md.
nlohmann::json policy_json(const Appraised& a) {
  return policy_to_json(a.policy, a.appraisal ? &*a.appraisal : nullptr);
}

nlohmann::json to_json(const snp::Evidence& ev, const snp::Report& report,
                       const VerificationResult& result, std::optional<snp::Product> user,
                       const endorse::Resolution& resolution, const Appraised& a) {
  nlohmann::json endorsements = nlohmann::json::array();
  for (const auto& p : resolution.provenance) {
    endorsements.push_back({{"piece", p.piece}, {"source", p.source}});
  }
  return verification_to_json({ev, report, result, user, a.policy,
                               a.appraisal ? &*a.appraisal : nullptr, exit_code(result, a),
                               std::move(endorsements)});
}

// An input or endorsement failure before any check: the message on stderr and, with --json,
// the error object of docs/json.md on stdout (the batch lines' schema).
int report_failure(const VerifyFlags& f, const std::string& file, int code, const std::string& message) {
  print_error(message);
  if (f.json) emit_json(error_object(code, message, {{"file", file}, {"verified", false}}));
  return code;
}

// The policy the options ask for; prints the notes (unless --quiet).
Result<std::optional<verify::AppraisalPolicy>> load_policy(const Flags& f) {
  std::vector<std::string> notes;
  auto policy = appraisal_policy(f.appraisal, notes);
  if (!f.verify.quiet) {
    for (const auto& n : notes) print_error(n);
  }
  return policy;
}

int run_verify(const Flags& flags) {
  const VerifyFlags& f = flags.verify;
  const std::string& file = f.files.front();
  auto policy = load_policy(flags);
  if (!policy) return report_failure(f, file, kExitUsage, policy.error().message);
  const verify::AppraisalPolicy* p = *policy ? &**policy : nullptr;
  auto verified = verify_single(f, file, p && p->require_crl);
  if (!verified) return report_failure(f, file, verified.error().exit_code, verified.error().message);
  const snp::Report report = verified->report();
  const VerificationResult& result = verified->result;
  const Appraised a = appraise(p, report, result);
  if (f.quiet) {
  } else if (f.json) {
    std::cout << to_json(verified->input.evidence, report, result, verified->input.product,
                         verified->resolution, a)
                     .dump(2)
              << '\n';
  } else {
    print_text(verified->input.evidence, report, result, verified->resolution, a);
  }
  return exit_code(result, a);
}

// The inputs of a batch: the FILE arguments, then one path a line from --files-from.
Result<std::vector<std::string>> batch_inputs(const VerifyFlags& f) {
  std::vector<std::string> inputs = f.files;
  if (!f.files_from.empty()) {
    // Like every input: a regular file (or stdin) of at most kMaxInputBytes, never a hang.
    auto list = f.files_from == "-" ? read_fd(STDIN_FILENO, "stdin", kMaxInputBytes) : read_file(f.files_from);
    if (!list) return fail(list.error().code, "--files-from: " + list.error().message);
    std::istringstream in(std::string(list->begin(), list->end()));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) inputs.push_back(line);
    }
  }
  if (inputs.empty()) return fail(Errc::kInvalidInput, "no reports to verify");
  return inputs;
}

nlohmann::json batch_line(const BatchItem& item, const Appraised& a, int code) {
  nlohmann::json j{{"file", item.input}, {"exit_code", code}};
  if (!item.result) {
    j["verified"] = false;
    j["error"] = item.error;
    return j;
  }
  j["verified"] = item.result->verified();
  j["product"] = item.result->product ? nlohmann::json(std::string(snp::to_string(*item.result->product)))
                                      : nlohmann::json(nullptr);
  nlohmann::json failed = nlohmann::json::array();
  nlohmann::json checks = nlohmann::json::array();
  auto add = [&](const Check& c) {
    if (!c.ok()) failed.push_back(c.id);
    checks.push_back({{"id", c.id}, {"status", std::string(to_string(c.status))}, {"detail", c.detail}});
  };
  for (const Check& c : item.result->checks.checks) add(c);
  if (a.appraisal) {
    for (const Check& c : a.appraisal->checks.checks) add(c);
  }
  j["failed"] = failed;
  j["checks"] = checks;
  if (a.policy) j["policy"] = policy_json(a);
  return j;
}

// Batch mode: every input verified on all cores, one JSON line each as it finishes. Exit code:
// the first that applies to any input of 2 (unreadable), 1 (evidence failed), 3 (endorsement
// missing), 5 (authentic but fails the policy), else 0.
int run_batch(const Flags& flags) {
  auto with_certs = with_snpguest_files(flags.verify, "");
  if (!with_certs) {
    print_error(with_certs.error());
    return kExitUsage;
  }
  const VerifyFlags& f = *with_certs;
  auto product = product_flag(f.product);
  auto now = time_flag(f.at);
  auto inputs = batch_inputs(f);
  auto policy = load_policy(flags);
  for (const Error* e : {product ? nullptr : &product.error(), now ? nullptr : &now.error(),
                         inputs ? nullptr : &inputs.error(), policy ? nullptr : &policy.error()}) {
    if (e) {
      print_error(*e);
      return kExitUsage;
    }
  }
  const verify::AppraisalPolicy* p = *policy ? &**policy : nullptr;
  auto resolving = open_resolving(f, *product);
  if (!resolving) {
    print_error(resolving.error().message);
    return resolving.error().exit_code;
  }
  auto& sources = resolving->sources;
  const endorse::ResolveRequest& request = resolving->request;
  MemoizedLookup lookup([&](const snp::Report& report) -> Result<Endorsements> {
    if (request.files.signer) {
      if (auto why = other_chip(report, *request.files.signer)) {
        return fail(Errc::kEndorsementInvalid, f.vcek + ": " + *why);
      }
    }
    std::vector<std::string> attempts;  // batch lines carry no trace: the first line that resolves
    auto tried = resolve_trying_products(
        *sources, report, request, [](snp::Product, const endorse::Resolution&) { return true; }, attempts);
    auto resolution = tried ? std::move(*tried) : sources->resolver().resolve(report, request);
    if (!resolution) return std::unexpected(resolution.error());
    return std::move(resolution->endorsements);
  });
  VerifiedLinks memo;
  Verifier verifier(snp::TrustStore::amd(), memo);
  VerifyOptions options{*now, *product,
                        (p && p->require_crl) || request.crl == endorse::CrlPolicy::kRequired};
  bool usage = false, evidence = false, endorsement = false, appraisal = false;
  verify_batch(
      *inputs, [&](const snp::Report& r) { return lookup(r); }, verifier, options, f.threads,
      [&](const BatchItem& item) {
        Appraised a{p, std::nullopt};
        int code = exit_code_of(item.verdict);
        if (item.result) {
          auto report = snp::Report::parse(item.report);
          if (report) a = appraise(p, *report, *item.result);
          code = exit_code(*item.result, a);
        }
        usage |= code == kExitUsage;
        evidence |= code == kExitCheckFailed;
        endorsement |= code == kExitEndorsement;
        appraisal |= code == kExitPolicy;
        if (!f.quiet) std::cout << batch_line(item, a, code).dump() << '\n';
      });
  std::cout.flush();
  return usage ? kExitUsage : evidence ? kExitCheckFailed : endorsement ? kExitEndorsement
                                     : appraisal ? kExitPolicy : kExitVerified;
}

const Registration kVerify{
    {"verify", "Verify a report's signature, AMD certificate chain and TCB binding, and appraise it", 20,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<Flags>();
       cmd.add_option("FILE", f->verify.files,
                      "report (any encoding/container `veritee show` reads); several reports "
                      "switch to batch mode: one JSON line per report, on all cores");
       cmd.add_option("--files-from", f->verify.files_from,
                      "batch mode: also verify the reports listed one per line in this file "
                      "('-' for stdin)");
       cmd.add_option("--threads", f->verify.threads, "batch mode: worker threads (default: all cores)");
       add_verify_endorsement_options(cmd, f->verify);
       auto* json = cmd.add_flag("--json", f->verify.json,
                                 "print JSON: {verified, exit_code, checks[], policy, endorsements[], "
                                 "report}, or {file, verified, exit_code, error} (docs/json.md)");
       cmd.add_flag("--quiet", f->verify.quiet, "print nothing but errors (on stderr): the exit code says it")
           ->excludes(json);
       cmd.add_option("--collateral", f->collateral,
                      "DCAP quotes (Intel SGX/TDX): the collateral JSON (TCB Info, QE Identity, "
                      "CRLs, issuer chains; docs/dcap.md)");
       add_appraisal_flags(cmd, f->appraisal);
       cmd.footer(
           "Endorsement sources, first match wins: --cert-table, --vcek/--chain/--crl, "
           "--endorsements DIR, the cache, AMD KDS (not with --offline; not with --vcek). The "
           "CRL is fetched and checked by default when online.\n"
           "Exit codes: 0 verified (and, with a policy, meets it); 1 the evidence failed a check; "
           "2 usage error or unreadable/malformed input; 3 an endorsement is missing or unusable; "
           "5 authentic evidence that fails the policy. In batch mode the first that applies of "
           "2, 1, 3, 5 to any report, else 0.");
       return [f] {
         if (f->verify.files.size() == 1 && f->verify.files_from.empty() &&
             (!f->collateral.empty() || is_dcap_quote_file(f->verify.files.front()))) {
           return run_dcap_verify(f->verify.files.front(), f->collateral, f->verify.at, f->verify.json,
                                  f->verify.sources, f->appraisal);
         }
         if (f->verify.files.size() == 1 && f->verify.files_from.empty()) return run_verify(*f);
         if (f->verify.files.empty() && f->verify.files_from.empty()) {
           print_error("verify: no report given (FILE or --files-from)");
           return static_cast<int>(kExitUsage);
         }
         return run_batch(*f);
       };
     }}};

}  // namespace
}  // namespace veritee::cli
