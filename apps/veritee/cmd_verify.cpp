// veritee verify [--json] [--vcek F] [--chain F]... [--crl F] [--at T] [--product P] FILE:
// authenticity of a report against AMD's chain, every check reported.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "veritee/report_format.hpp"
#include "veritee/verifier.hpp"

namespace veritee::cli {
namespace {

struct VerifyFlags {
  std::string file;
  std::string vcek;
  std::vector<std::string> chain;
  std::string crl;
  std::string at;
  std::string product;
  bool json = false;
};

// The endorsements named on the command line; an unreadable one is an unusable endorsement.
Result<Endorsements> explicit_endorsements(const VerifyFlags& f) {
  Endorsements e;
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
    for (auto& c : *certs) {
      if (!(c == *e.signer)) e.chain.push_back(std::move(c));
    }
  }
  for (const std::string& path : f.chain) {
    auto certs = x509::Certificate::load_file(path);
    if (!certs) return std::unexpected(certs.error());
    for (auto& c : *certs) e.chain.push_back(std::move(c));
  }
  if (!f.crl.empty()) {
    auto crl = x509::Crl::load_file(f.crl);
    if (!crl) return std::unexpected(crl.error());
    e.crl = std::move(*crl);
  }
  return e;
}

void print_text(const snp::Evidence& ev, const snp::Report& report,
                const VerificationResult& result) {
  std::cout << "evidence: " << ev.describe() << ", report version " << report.version() << '\n';
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
                       const VerificationResult& result, std::optional<snp::Product> user) {
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
                   {"exit_code", static_cast<int>(result.checks.exit_code())},
                   {"checks", checks},
                   {"report", snp::report_to_json(report, ctx)}};
  j["report"]["evidence"] = {{"encoding", std::string(snp::to_string(ev.encoding))},
                             {"container", std::string(snp::to_string(ev.container))},
                             {"report_offset", ev.report_offset}};
  return j;
}

int run_verify(const VerifyFlags& f) {
  auto product = product_flag(f.product);
  if (!product) {
    print_error(product.error());
    return kExitUsage;
  }
  auto now = time_flag(f.at);
  if (!now) {
    print_error(now.error());
    return kExitUsage;
  }
  auto evidence = load_evidence_file(f.file);
  if (!evidence) {
    print_error(evidence.error());
    return kExitUsage;
  }
  auto report = evidence->report();
  if (!report) {
    print_error(report.error());
    return kExitUsage;
  }
  auto endorsements = explicit_endorsements(f);
  if (!endorsements) {
    print_error(endorsements.error());
    return kExitEndorsement;
  }
  VerifyOptions options{*now, *product, false};
  VerificationResult result = Verifier().verify(*report, *endorsements, options);
  if (f.json) {
    std::cout << to_json(*evidence, *report, result, *product).dump(2) << '\n';
  } else {
    print_text(*evidence, *report, result);
  }
  return result.checks.exit_code();
}

const Registration kVerify{
    {"verify", "Verify a report's signature, AMD certificate chain and TCB binding", 20,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<VerifyFlags>();
       cmd.add_option("FILE", f->file, "report (any encoding/container `veritee show` reads)")
           ->required();
       cmd.add_option("--vcek", f->vcek, "the VCEK or VLEK certificate (PEM or DER)");
       cmd.add_option("--chain", f->chain,
                      "ASK+ARK or ASVK+ARK: a PEM bundle in either order, or DER files "
                      "(optional: the pinned AMD roots are built in)");
       cmd.add_option("--crl", f->crl, "the ARK-signed CRL (DER or PEM)");
       cmd.add_option("--at", f->at,
                      "verify as of this time (RFC 3339, e.g. 2024-05-06T21:14:27Z); default now");
       cmd.add_option("--product", f->product, "milan, genoa or turin (must match the evidence)");
       cmd.add_flag("--json", f->json, "print JSON: {verified, checks[], report}");
       cmd.footer(
           "Exit codes: 0 verified; 1 the evidence failed a check; 2 usage error or "
           "unreadable/malformed input; 3 an endorsement is missing or unusable.");
       return [f] { return run_verify(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
