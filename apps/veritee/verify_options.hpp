// What `verify` and `policy from-report` share: the endorsement options (--vcek, --chain,
// --crl, --at, --product, --cert-table and the source flags), the sources they open, and the
// verification of one report with them.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_common.hpp"
#include "endorsement_options.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::cli {

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
  std::string certs_dir;  // snpguest `certificates` output: vcek/vlek, ask/asvk, ark
  bool json = false;
  bool quiet = false;
  EndorsementFlags sources;
};

// --vcek --chain --crl --at --product --cert-table, and the endorsement source flags.
void add_verify_endorsement_options(CLI::App& cmd, VerifyFlags& f);

// The flags with snpguest's certificates (--certs-dir, or a FILE that is a directory of
// snpguest's files) as --vcek and --chain, unless those were given.
Result<VerifyFlags> with_snpguest_files(const VerifyFlags& f, const std::string& file);

// An input or endorsement failure of `verify FILE` before any check (SNP report or DCAP quote):
// the message on stderr and, with --json, the error object of docs/json.md on stdout (the
// batch lines' schema). Returns `code`.
int report_verify_failure(const VerifyFlags& f, const std::string& file, int code,
                          const std::string& message);

// A failed step before any check ran: why, and the exit code (2 or 3).
struct VerifyFailure {
  int exit_code = 0;
  std::string message;
};

// The opened sources and the request built from the flags, for one report or a batch.
struct Resolving {
  std::unique_ptr<EndorsementSources> sources;
  endorse::ResolveRequest request;
};
std::expected<Resolving, VerifyFailure> open_resolving(const VerifyFlags& f,
                                                       std::optional<snp::Product> product);

// Why a VCEK given with --vcek is not the report's chip's ("this VCEK is for chip …, the
// report is from chip …"), an endorsement problem (exit 3) rather than a forged report; nullopt
// when it is, or when the report does not name its chip (VLEK, MASK_CHIP_KEY).
std::optional<std::string> other_chip(const snp::Report& report, const x509::Certificate& vcek);

// A report that cannot say its product line (v2: no CPUID) and no --product, certificate
// table or --vcek to say it either: the endorsements are looked up for each line that can have
// produced it (Milan, then Genoa), first in the local sources (bundle, cache), then from KDS.
// `accept` decides among lines that resolved (the single-report path verifies: the pinned
// chain and the signature decide). `attempts` records each try for the trace. nullopt: the
// report does not need this (its product is known, or the user named the endorsements).
using AcceptResolution = std::function<bool(snp::Product, const endorse::Resolution&)>;
std::optional<Result<endorse::Resolution>> resolve_trying_products(EndorsementSources& sources,
                                                               const snp::Report& report,
                                                               const endorse::ResolveRequest& request,
                                                               const AcceptResolution& accept,
                                                               std::vector<std::string>& attempts);

// One report verified: the evidence read, the endorsements found and the checks.
struct SingleVerification {
  ReportInput input;
  endorse::Resolution resolution;
  VerificationResult result;
  snp::Report report() const { return input.report(); }
};
// `require_crl` adds to what the flags ask (a policy's require_crl).
std::expected<SingleVerification, VerifyFailure> verify_single(const VerifyFlags& f,
                                                               const std::string& file,
                                                               bool require_crl = false);

}  // namespace veritee::cli
