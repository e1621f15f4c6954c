#include "verify_options.hpp"

#include <algorithm>

#include "exit_codes.hpp"
#include "output.hpp"
#include "snpguest_dir.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::cli {

int report_verify_failure(const VerifyFlags& f, const std::string& file, int code,
                          const std::string& message) {
  print_error(message);
  if (f.json) emit_json(error_object(code, message, {{"file", file}, {"verified", false}}));
  return code;
}

namespace {

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

}  // namespace

// A VCEK given with --vcek that names another chip than the report's CHIP_ID: the user
// brought the wrong endorsement (exit 3), which would otherwise fail as a forged report. Only
// a VCEK-signed report with a CHIP_ID (not masked) says which chip it comes from.
std::optional<std::string> other_chip(const snp::Report& report, const x509::Certificate& vcek) {
  // An unknown version's layout is not trusted: its CHIP_ID bytes name nothing.
  if (!report.version_known()) return std::nullopt;
  const ByteView chip = report.chip_id();
  if (report.key_info().signing_key() != snp::SigningKey::kVcek || all_zero(chip)) return std::nullopt;
  auto ext = vcek.amd_extensions();
  if (!ext || !ext->hw_id || ext->hw_id->empty() || ext->hw_id->size() > chip.size()) return std::nullopt;
  const Bytes& hw = *ext->hw_id;
  // Turin's hwID is CHIP_ID[0:8], the rest of CHIP_ID zero (DESIGN.md 3.5).
  const bool same = std::ranges::equal(hw, chip.first(hw.size())) && all_zero(chip.subspan(hw.size()));
  if (same) return std::nullopt;
  return "this VCEK is for chip " + to_hex(hw) + ", the report is from chip " +
         to_hex(hw.size() < chip.size() && all_zero(chip.subspan(hw.size())) ? chip.first(hw.size()) : chip);
}

void add_verify_endorsement_options(CLI::App& cmd, VerifyFlags& f) {
  cmd.add_option("--vcek", f.vcek, "the VCEK or VLEK certificate (PEM, DER or base64 DER)");
  cmd.add_option("--chain", f.chain,
                 "ASK+ARK or ASVK+ARK: a PEM bundle in either order, or DER files "
                 "(optional: the pinned AMD roots are built in); repeat the flag for "
                 "several files")
      ->allow_extra_args(false);  // one value per --chain: the rest are reports
  cmd.add_option("--crl", f.crl, "the ARK-signed CRL (DER, PEM or base64 DER)");
  cmd.add_option("--at", f.at,
                 "verify as of this time (RFC 3339, e.g. 2024-05-06T21:14:27Z); default now");
  cmd.add_option("--product", f.product, "milan, genoa or turin (must match the evidence)");
  cmd.add_option("--cert-table", f.cert_table,
                 "the guest's certificate table (GUID table from SNP_GET_EXT_REPORT or "
                 "configfs-tsm auxblob): the first endorsement source");
  cmd.add_option("--certs-dir", f.certs_dir,
                 "a directory `snpguest certificates` wrote (vcek|vlek, ask|asvk, ark as .pem "
                 "or .der): read as --vcek and --chain. A FILE that is a directory of snpguest's "
                 "report and certificates (or certs/) is read the same way");
  add_endorsement_flags(cmd, f.sources, kNetworkFlags | kCrlFlag | kBundleFlag);
}

Result<VerifyFlags> with_snpguest_files(const VerifyFlags& f, const std::string& file) {
  VerifyFlags out = f;
  std::optional<SnpguestCerts> certs;
  if (!f.certs_dir.empty()) {
    if (!std::filesystem::is_directory(f.certs_dir)) {
      return fail(Errc::kInvalidInput, "--certs-dir " + f.certs_dir + ": not a directory");
    }
    certs = snpguest_certs(f.certs_dir);
    if (certs->empty()) {
      return fail(Errc::kInvalidInput, "--certs-dir " + f.certs_dir +
                                           ": no vcek, vlek, ask, asvk or ark .pem/.der file");
    }
  } else {
    auto dir = snpguest_dir(file);
    if (!dir) return std::unexpected(dir.error());
    if (*dir) certs = (*dir)->certs;
  }
  // The user's own --vcek and --chain win over the directory's.
  if (certs && out.vcek.empty() && out.chain.empty()) {
    if (certs->signer) out.vcek = certs->signer->string();
    for (const auto& c : certs->chain) out.chain.push_back(c.string());
  }
  return out;
}

std::optional<Result<endorse::Resolution>> resolve_trying_products(EndorsementSources& sources,
                                                               const snp::Report& report,
                                                               const endorse::ResolveRequest& request,
                                                               const AcceptResolution& accept,
                                                               std::vector<std::string>& attempts) {
  if (request.product || request.files.signer || !request.cert_table.empty() ||
      report.key_info().signing_key() != snp::SigningKey::kVcek ||
      snp::decide_product(report, std::nullopt, std::nullopt).product) {
    return std::nullopt;
  }
  // Report v2 comes from firmware before ABI 1.55: Milan and Genoa (Turin reports are v3+).
  constexpr snp::Product kLines[] = {snp::Product::kMilan, snp::Product::kGenoa};
  std::optional<Result<endorse::Resolution>> fallback;  // resolved, but not accepted
  std::optional<Error> last;
  std::vector<endorse::KdsClient*> passes = {nullptr};  // local sources first, then KDS
  if (sources.client()) passes.push_back(sources.client());
  for (endorse::KdsClient* client : passes) {
    const bool online = client != nullptr;
    endorse::EndorsementResolver resolver(snp::TrustStore::amd(), sources.bundle(), sources.cache(), client);
    for (snp::Product line : kLines) {
      endorse::ResolveRequest r = request;
      r.product = line;
      const std::string name = std::string(snp::kds_name(line)) + (online ? " (KDS)" : " (local sources)");
      auto resolution = resolver.resolve(report, r);
      if (!resolution) {
        attempts.push_back(name + ": " + resolution.error().message);
        last = resolution.error();
        continue;
      }
      if (accept(line, *resolution)) {
        attempts.push_back(name + ": matched");
        return resolution;
      }
      attempts.push_back(name + ": its VCEK does not verify the report");
      if (!fallback) fallback = std::move(resolution);
    }
  }
  if (fallback) return fallback;
  std::string tried;
  for (const auto& a : attempts) tried += (tried.empty() ? "" : "; ") + a;
  return Result<endorse::Resolution>(fail(last ? last->code : Errc::kEndorsementMissing,
                                      "a v2 report names no product line: tried " + tried));
}

std::expected<Resolving, VerifyFailure> open_resolving(const VerifyFlags& f,
                                                       std::optional<snp::Product> product) {
  auto files = explicit_endorsements(f);
  if (!files) return std::unexpected(VerifyFailure{kExitEndorsement, files.error().message});
  auto table = cert_table_file(f.cert_table);
  if (!table) return std::unexpected(VerifyFailure{kExitUsage, table.error().message});
  // --vcek: the user brought the endorsements; no cache, no network (the offline-with-files
  // case). Otherwise the cache, and KDS unless --offline.
  const bool own = files->signer.has_value();
  auto sources = EndorsementSources::open(f.sources, snp::TrustStore::amd(), !own, !own);
  if (!sources) return std::unexpected(VerifyFailure{kExitEndorsement, sources.error().message});
  const endorse::CrlPolicy crl = f.sources.no_crl        ? endorse::CrlPolicy::kOff
                             : (*sources)->client() ? endorse::CrlPolicy::kRequired
                                                     : endorse::CrlPolicy::kIfAvailable;
  return Resolving{std::move(*sources),
                   endorse::ResolveRequest{product, std::move(*table), std::move(*files), crl}};
}

std::expected<SingleVerification, VerifyFailure> verify_single(const VerifyFlags& given,
                                                               const std::string& file,
                                                               bool require_crl) {
  auto flags = with_snpguest_files(given, file);
  if (!flags) return std::unexpected(VerifyFailure{kExitUsage, flags.error().message});
  const VerifyFlags& f = *flags;
  auto product = product_flag(f.product);
  if (!product) return std::unexpected(VerifyFailure{kExitUsage, product.error().message});
  auto evidence = load_evidence_file(file);
  if (!evidence) return std::unexpected(VerifyFailure{kExitUsage, evidence.error().message});
  auto now = time_flag(f.at);
  if (!now) return std::unexpected(VerifyFailure{kExitUsage, "--at: " + now.error().message});
  ReportInput input{std::move(*evidence), *product};
  const snp::Report report = input.report();
  auto resolving = open_resolving(f, *product);
  if (!resolving) return std::unexpected(resolving.error());
  auto& sources = resolving->sources;
  endorse::ResolveRequest& request = resolving->request;
  // The table that came with the report (go-sev-guest's `attest -extended`) is the first
  // source, as --cert-table would be; an explicit --cert-table wins.
  if (request.cert_table.empty() && !input.evidence.cert_table().empty()) {
    auto table = snp::parse_cert_table(input.evidence.cert_table());
    if (!table) return std::unexpected(VerifyFailure{kExitUsage, file + ": " + table.error().message});
    request.cert_table = std::move(*table);
  }
  if (request.files.signer) {
    if (auto why = other_chip(report, *request.files.signer)) {
      return std::unexpected(VerifyFailure{kExitEndorsement, f.vcek + ": " + *why});
    }
  }
  VerifyOptions options{*now, *product, require_crl || request.crl == endorse::CrlPolicy::kRequired};
  std::vector<std::string> attempts;
  std::optional<VerificationResult> accepted;
  auto tried = resolve_trying_products(
      *sources, report, request,
      [&](snp::Product, const endorse::Resolution& r) {
        VerificationResult v = Verifier().verify(report, r.endorsements, options);
        if (!v.verified()) return false;
        accepted = std::move(v);
        return true;
      },
      attempts);
  auto resolution = tried ? std::move(*tried) : sources->resolver().resolve(report, request);
  sources->say_where_cached();
  if (!resolution) {
    return std::unexpected(VerifyFailure{endorsement_exit_code(resolution.error()),
                                         resolution.error().message});
  }
  VerificationResult result =
      accepted ? std::move(*accepted) : Verifier().verify(report, resolution->endorsements, options);
  if (tried) {
    // The trace says which product lines were tried and which one matched.
    std::string note = "; the v2 report has no CPUID and no --product was given, so the product "
                       "lines that can have produced it were tried: ";
    for (std::size_t i = 0; i < attempts.size(); ++i) note += (i ? "; " : "") + attempts[i];
    for (Check& c : result.checks.checks) {
      if (c.id == "product") c.detail += note;
    }
  }
  if (f.sources.no_crl) {
    for (Check& c : result.checks.checks) {
      if (c.id == "chain.crl" && c.status == CheckStatus::kSkip) {
        c.detail = "revocation not checked: --no-crl";
      }
    }
  }
  return SingleVerification{std::move(input), std::move(*resolution), std::move(result)};
}

}  // namespace veritee::cli
