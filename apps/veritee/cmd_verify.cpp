// veritee verify [--json] [--vcek F] [--chain F]... [--crl F] [--cert-table F] [--at T]
//                [--product P] [--endorsements DIR] [--offline] [--no-crl] [--kds-url U] FILE:
// authenticity of a report against AMD's chain, every check reported. Endorsements come from
// the sources in their documented order (certificate table, files, bundle, cache, KDS); with
// --vcek the endorsements are the user's and no cache or network is used.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "dcap_cli.hpp"
#include "endorsement_options.hpp"
#include "veritee/verify/batch_verifier.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::cli {
namespace {

struct VerifyFlags {
  std::vector<std::string> files;  // one: a full report; several (or --files-from): batch
  std::string files_from;
  unsigned threads = 0;
  std::string vcek;
  std::vector<std::string> chain;
  std::string crl;
  std::string at;
  std::string product;
  std::string cert_table;
  bool json = false;
  EndorsementFlags sources;
  std::string collateral;  // DCAP quotes
};

// The endorsements named on the command line; an unreadable one is an unusable endorsement.
Result<endorse::ExplicitEndorsements> explicit_endorsements(const VerifyFlags& f) {
  endorse::ExplicitEndorsements e;
  if (!f.vcek.empty()) {
    auto certs = x509::Certificate::load_file(f.vcek);
    if (!certs) return std::unexpected(certs.error());
    // A file may bundle the VCEK with its ASK and ARK: the signer is the one certificate that
    // issued none of the others; the rest join the chain.
    std::vector<x509::Certificate> leaves;
    for (const auto& c : *certs) {
      bool issued_other = std::any_of(certs->begin(), certs->end(), [&](const auto& o) {
        return !(o == c) && o.issuer_cn() == c.subject_cn();
      });
      if (!issued_other && !c.is_self_issued()) leaves.push_back(c);
    }
    if (leaves.size() != 1) {
      return fail(Errc::kEndorsementInvalid,
                  f.vcek + ": holds " + std::to_string(certs->size()) + " certificates and " +
                      std::to_string(leaves.size()) +
                      " candidate signers; --vcek takes one VCEK or VLEK (optionally with its "
                      "ASK/ASVK and ARK)");
    }
    e.signer = leaves.front();
    e.signer_path = f.vcek;
    for (auto& c : *certs) {
      if (!(c == *e.signer)) e.chain.push_back(std::move(c));
    }
    if (!e.chain.empty()) e.chain_path = f.vcek;
  }
  for (const std::string& path : f.chain) {
    auto certs = x509::Certificate::load_file(path);
    if (!certs) return std::unexpected(certs.error());
    for (auto& c : *certs) e.chain.push_back(std::move(c));
    e.chain_path += (e.chain_path.empty() ? "" : ", ") + path;
  }
  if (!f.crl.empty()) {
    auto crl = x509::Crl::load_file(f.crl);
    if (!crl) return std::unexpected(crl.error());
    e.crl = std::move(*crl);
    e.crl_path = f.crl;
  }
  return e;
}

// The guest's certificate table (SNP_GET_EXT_REPORT certs / configfs-tsm auxblob).
Result<std::vector<snp::CertTableEntry>> cert_table_file(const std::string& path) {
  if (path.empty()) return std::vector<snp::CertTableEntry>{};
  auto bytes = read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto table = snp::parse_cert_table(*bytes);
  if (!table) return fail(table.error().code, path + ": " + table.error().message);
  return table;
}

// Whether an endorsement came from somewhere the user did not name (table, bundle, cache, KDS).
bool worth_showing(const std::vector<endorse::Provenance>& provenance) {
  for (const auto& p : provenance) {
    if (!p.source.starts_with("file ") && !p.source.starts_with("pinned") &&
        !p.source.starts_with("none")) {
      return true;
    }
  }
  return false;
}

void print_text(const snp::Evidence& ev, const snp::Report& report,
                const VerificationResult& result, const endorse::Resolution& resolution) {
  std::cout << "evidence: " << ev.describe() << ", report version " << report.version() << '\n';
  if (worth_showing(resolution.provenance)) {
    for (const auto& p : resolution.provenance) {
      const bool place = !p.source.starts_with("pinned") && !p.source.starts_with("none") &&
                         !p.source.starts_with("not used");
      std::cout << "endorsement: " << p.piece << (place ? " from " : ": ") << p.source << '\n';
    }
  }
  for (const Check& c : result.checks.checks) {
    std::string status(to_string(c.status));
    for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::cout << "  " << status << "  " << c.id;
    for (std::size_t i = c.id.size(); i < 18; ++i) std::cout << ' ';
    std::cout << ' ' << c.detail << '\n';
  }
  std::cout << (result.verified() ? "verified: the report is authentic AMD SEV-SNP evidence\n"
                                  : "NOT verified\n");
}

nlohmann::json to_json(const snp::Evidence& ev, const snp::Report& report,
                       const VerificationResult& result, std::optional<snp::Product> user,
                       const endorse::Resolution& resolution) {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : result.checks.checks) {
    checks.push_back({{"id", c.id},
                      {"ok", c.ok()},
                      {"status", std::string(to_string(c.status))},
                      {"subject", c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement"},
                      {"detail", c.detail}});
  }
  // Decode with the product the verification settled on (it may come from the certificate).
  auto ctx = snp::determine_product(report, user, result.product);
  nlohmann::json j{{"verified", result.verified()},
                   {"exit_code", static_cast<int>(exit_code_of(result.checks.verdict()))},
                   {"checks", checks},
                   {"report", snp::report_to_json(report, ctx)}};
  j["endorsements"] = nlohmann::json::array();
  for (const auto& p : resolution.provenance) {
    j["endorsements"].push_back({{"piece", p.piece}, {"source", p.source}});
  }
  j["report"]["evidence"] = {{"encoding", std::string(veritee::to_string(ev.encoding))},
                             {"container", std::string(snp::to_string(ev.container))},
                             {"report_offset", ev.report_offset}};
  return j;
}

// What both modes resolve endorsements with: the opened sources and the request built from the
// flags. On failure, the exit code (after the message is printed).
struct Resolving {
  std::unique_ptr<EndorsementSources> sources;
  endorse::ResolveRequest request;
};

std::expected<Resolving, int> open_resolving(const VerifyFlags& f,
                                             std::optional<snp::Product> product) {
  auto files = explicit_endorsements(f);
  if (!files) {
    print_error(files.error());
    return std::unexpected(static_cast<int>(kExitEndorsement));
  }
  auto table = cert_table_file(f.cert_table);
  if (!table) {
    print_error(table.error());
    return std::unexpected(static_cast<int>(kExitUsage));
  }
  // --vcek: the user brought the endorsements; no cache, no network (the offline-with-files
  // case). Otherwise the cache, and KDS unless --offline.
  const bool own = files->signer.has_value();
  auto sources = EndorsementSources::open(f.sources, snp::TrustStore::amd(), !own, !own);
  if (!sources) {
    print_error(sources.error());
    return std::unexpected(static_cast<int>(kExitEndorsement));
  }
  const endorse::CrlPolicy crl = f.sources.no_crl        ? endorse::CrlPolicy::kOff
                             : (*sources)->client() ? endorse::CrlPolicy::kRequired
                                                     : endorse::CrlPolicy::kIfAvailable;
  return Resolving{std::move(*sources),
                   endorse::ResolveRequest{product, std::move(*table), std::move(*files), crl}};
}

int run_verify(const VerifyFlags& f) {
  auto input = read_report_input(f.files.front(), f.product);
  if (!input) return kExitUsage;
  auto now = time_flag(f.at);
  if (!now) {
    print_error(now.error());
    return kExitUsage;
  }
  const auto& product = input->product;
  const snp::Evidence& evidence = input->evidence;
  const snp::Report report = input->report();
  auto resolving = open_resolving(f, product);
  if (!resolving) return resolving.error();
  auto& sources = resolving->sources;
  const endorse::ResolveRequest& request = resolving->request;
  auto resolution = sources->resolver().resolve(report, request);
  sources->say_where_cached();
  if (!resolution) {
    print_error(resolution.error());
    return endorsement_exit_code(resolution.error());
  }
  VerifyOptions options{*now, product, request.crl == endorse::CrlPolicy::kRequired};
  VerificationResult result = Verifier().verify(report, resolution->endorsements, options);
  if (f.sources.no_crl) {
    for (Check& c : result.checks.checks) {
      if (c.id == "chain.crl" && c.status == CheckStatus::kSkip) {
        c.detail = "revocation not checked: --no-crl";
      }
    }
  }
  if (f.json) {
    std::cout << to_json(evidence, report, result, product, *resolution).dump(2) << '\n';
  } else {
    print_text(evidence, report, result, *resolution);
  }
  return exit_code_of(result.checks.verdict());
}

// The inputs of a batch: the FILE arguments, then one path a line from --files-from.
Result<std::vector<std::string>> batch_inputs(const VerifyFlags& f) {
  std::vector<std::string> inputs = f.files;
  if (!f.files_from.empty()) {
    std::ifstream file;
    if (f.files_from != "-") {
      file.open(f.files_from);
      if (!file) return fail(Errc::kIo, "cannot open " + f.files_from);
    }
    std::istream& in = f.files_from == "-" ? std::cin : file;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) inputs.push_back(line);
    }
  }
  if (inputs.empty()) return fail(Errc::kInvalidInput, "no reports to verify");
  return inputs;
}

nlohmann::json batch_line(const BatchItem& item) {
  nlohmann::json j{{"file", item.input}, {"exit_code", static_cast<int>(exit_code_of(item.verdict))}};
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
  for (const Check& c : item.result->checks.checks) {
    if (!c.ok()) failed.push_back(c.id);
    checks.push_back({{"id", c.id}, {"status", std::string(to_string(c.status))}, {"detail", c.detail}});
  }
  j["failed"] = failed;
  j["checks"] = checks;
  return j;
}

// Batch mode: every input verified on all cores, one JSON line each as it finishes. Exit code:
// 2 if any input was unreadable, else 1 if any evidence failed, else 3 if any endorsement was
// missing, else 0.
int run_batch(const VerifyFlags& f) {
  auto product = product_flag(f.product);
  auto now = time_flag(f.at);
  auto inputs = batch_inputs(f);
  for (const Error* e : {product ? nullptr : &product.error(), now ? nullptr : &now.error(),
                         inputs ? nullptr : &inputs.error()}) {
    if (e) {
      print_error(*e);
      return kExitUsage;
    }
  }
  auto resolving = open_resolving(f, *product);
  if (!resolving) return resolving.error();
  auto& sources = resolving->sources;
  const endorse::ResolveRequest& request = resolving->request;
  MemoizedLookup lookup([&](const snp::Report& report) -> Result<Endorsements> {
    auto resolution = sources->resolver().resolve(report, request);
    if (!resolution) return std::unexpected(resolution.error());
    return std::move(resolution->endorsements);
  });
  VerifiedLinks memo;
  Verifier verifier(snp::TrustStore::amd(), memo);
  VerifyOptions options{*now, *product, request.crl == endorse::CrlPolicy::kRequired};
  bool usage = false, evidence = false, endorsement = false;
  verify_batch(
      *inputs, [&](const snp::Report& r) { return lookup(r); }, verifier, options, f.threads,
      [&](const BatchItem& item) {
        usage |= item.verdict == Verdict::kInputMalformed;
        evidence |= item.verdict == Verdict::kEvidenceFailed;
        endorsement |= item.verdict == Verdict::kEndorsementProblem;
        std::cout << batch_line(item).dump() << '\n';
      });
  std::cout.flush();
  return usage ? kExitUsage : evidence ? kExitCheckFailed : endorsement ? kExitEndorsement : kExitVerified;
}

const Registration kVerify{
    {"verify", "Verify a report's signature, AMD certificate chain and TCB binding", 20,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<VerifyFlags>();
       cmd.add_option("FILE", f->files,
                      "report (any encoding/container `veritee show` reads); several reports "
                      "switch to batch mode: one JSON line per report, on all cores");
       cmd.add_option("--files-from", f->files_from,
                      "batch mode: also verify the reports listed one per line in this file "
                      "('-' for stdin)");
       cmd.add_option("--threads", f->threads, "batch mode: worker threads (default: all cores)");
       cmd.add_option("--vcek", f->vcek, "the VCEK or VLEK certificate (PEM or DER)");
       cmd.add_option("--chain", f->chain,
                      "ASK+ARK or ASVK+ARK: a PEM bundle in either order, or DER files "
                      "(optional: the pinned AMD roots are built in); repeat the flag for "
                      "several files")
           ->allow_extra_args(false);  // one value per --chain: the rest are reports
       cmd.add_option("--crl", f->crl, "the ARK-signed CRL (DER or PEM)");
       cmd.add_option("--at", f->at,
                      "verify as of this time (RFC 3339, e.g. 2024-05-06T21:14:27Z); default now");
       cmd.add_option("--product", f->product, "milan, genoa or turin (must match the evidence)");
       cmd.add_option("--cert-table", f->cert_table,
                      "the guest's certificate table (GUID table from SNP_GET_EXT_REPORT or "
                      "configfs-tsm auxblob): the first endorsement source");
       add_endorsement_flags(cmd, f->sources, kNetworkFlags | kCrlFlag | kBundleFlag);
       cmd.add_flag("--json", f->json,
                    "print JSON: {verified, checks[], endorsements[], report}");
       cmd.add_option("--collateral", f->collateral,
                      "DCAP quotes (Intel SGX/TDX): the collateral JSON (TCB Info, QE Identity, "
                      "CRLs, issuer chains; docs/dcap.md)");
       cmd.footer(
           "Endorsement sources, first match wins: --cert-table, --vcek/--chain/--crl, "
           "--endorsements DIR, the cache, AMD KDS (not with --offline; not with --vcek). The "
           "CRL is fetched and checked by default when online.\n"
           "Exit codes: 0 verified; 1 the evidence failed a check; 2 usage error or "
           "unreadable/malformed input; 3 an endorsement is missing or unusable. In batch mode "
           "the first that applies of 2, 1, 3 to any report, else 0.");
       return [f] {
         if (f->files.size() == 1 && f->files_from.empty() &&
             (!f->collateral.empty() || is_dcap_quote_file(f->files.front()))) {
           return run_dcap_verify(f->files.front(), f->collateral, f->at, f->json);
         }
         if (f->files.size() == 1 && f->files_from.empty()) return run_verify(*f);
         if (f->files.empty() && f->files_from.empty()) {
           print_error("verify: no report given (FILE or --files-from)");
           return static_cast<int>(kExitUsage);
         }
         return run_batch(*f);
       };
     }}};

}  // namespace
}  // namespace veritee::cli
