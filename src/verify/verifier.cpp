// The authenticity checks, in order. Each is one small function adding one Check; the verdict
// and exit code are derived from the list (DESIGN.md 2.4).
#include "veritee/verify/verifier.hpp"

#include <algorithm>

#include "verify/report_signature.hpp"
#include "veritee/snp/chip_identity.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee {
namespace {

using snp::Product;
using x509::Certificate;

constexpr auto kEvidence = CheckSubject::kEvidence;
constexpr auto kEndorsement = CheckSubject::kEndorsement;

std::string describe(const Certificate& c) { return "'" + c.subject_cn() + "'"; }

// What the checks share: the inputs and what earlier checks established.
struct Context {
  const snp::Report& report;
  const Endorsements& endorsements;
  const VerifyOptions& options;
  const snp::TrustStore& roots;
  VerifiedLinks* memo;
  CheckList& out;

  Result<void> link(const Certificate& subject, const Certificate& issuer) const {
    return memo ? memo->verify(subject, issuer) : subject.verify_signed_by(issuer);
  }

  std::optional<x509::AmdExtensions> signer_ext;
  std::optional<Product> product;
  const Certificate* ark = nullptr;
  const Certificate* ca = nullptr;  // ASK or ASVK
  bool chain_ok = false;
};


void check_signer_extensions(Context& c) {
  if (!c.endorsements.signer) return;
  auto ext = c.endorsements.signer->amd_extensions();
  if (!ext) {
    c.out.add(failed("signer.extensions", kEndorsement,
                     "the signing certificate's AMD extensions are unreadable: " +
                         ext.error().message));
    return;
  }
  c.signer_ext = *ext;
}

void check_well_formed(Context& c) {
  std::vector<snp::Finding> errors;
  for (auto& f : c.report.findings(c.product)) {
    if (f.severity == snp::Finding::Severity::kError) errors.push_back(std::move(f));
  }
  if (errors.empty()) {
    c.out.add(pass("report.well_formed", kEvidence,
                   "version " + std::to_string(c.report.version()) +
                       " report: every reserved field, MBZ bit and enumerated value is as "
                       "ABI 1.58 Table 22 requires"));
    return;
  }
  std::string detail;
  for (const auto& f : errors) detail += (detail.empty() ? "" : "; ") + f.message;
  c.out.add(failed("report.well_formed", kEvidence, detail));
  // Each finding is its own check too, under its stable id (registered as a family, e.g.
  // "report.reserved.*"), so a relying party sees which field broke the ABI.
  for (auto& f : errors) c.out.add(failed(std::move(f.id), kEvidence, std::move(f.message)));
}

void check_product(Context& c) {
  std::optional<Product> from_cert;
  std::string cert_note;
  if (c.endorsements.signer && c.signer_ext) {
    auto p = snp::product_of_signer(*c.endorsements.signer, *c.signer_ext, &cert_note);
    if (!p) {
      c.out.add(failed("product", kEndorsement, p.error().message));
      return;
    }
    from_cert = *p;
  }
  auto ctx = snp::decide_product(c.report, c.options.product, from_cert);
  // The CA chain is not a source of the product: a chain of another product line is an
  // unusable endorsement, found by chain.ark against the pinned root of this product.
  c.product = ctx.product;
  if (!ctx.problem.empty()) {
    bool unknown = !ctx.product;
    c.out.add(failed("product", unknown && !c.endorsements.signer ? kEndorsement : kEvidence,
                     ctx.problem));
    if (ctx.disputed) c.product.reset();  // never decode with a layout the sources disagree on
    return;
  }
  std::string detail = std::string(snp::kds_name(*ctx.product)) + " (from " + std::string(ctx.source_name());
  if (auto cp = c.report.cpuid_product(); cp && cp->has_value()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " family 0x%02X model 0x%02X, %s", c.report.cpuid()->family,
                  c.report.cpuid()->model, std::string((*cp)->model_name).c_str());
    detail += buf;
  }
  if (!cert_note.empty() && ctx.source != snp::ProductSource::kCertificate) {
    detail += "; agrees with " + cert_note;
  }
  if (c.options.product && ctx.source != snp::ProductSource::kUser) {
    detail += "; agrees with --product";
  }
  c.out.add(pass("product", kEvidence, detail + ")"));
}

void check_chain(Context& c) {
  if (!c.product) {
    c.out.add(failed("chain.ark", kEndorsement, "the product is unknown or disputed, so no pinned AMD root applies"));
    return;
  }
  const snp::ProductRoots* pinned = c.roots.roots(*c.product);
  if (!pinned) {
    c.out.add(failed("chain.ark", kEndorsement,
                     "no pinned root for " + std::string(snp::kds_name(*c.product))));
    return;
  }
  // ARK: a self-issued certificate in the given chain must be the pinned one.
  c.ark = &pinned->ark;
  std::string ark_note = "pinned ARK " + describe(pinned->ark);
  for (const Certificate& cert : c.endorsements.chain) {
    if (!cert.is_self_issued()) continue;
    if (!(cert == pinned->ark)) {
      c.out.add(failed("chain.ark", kEndorsement,
                       "the chain's root " + describe(cert) + " (sha256 " +
                           cert.sha256_hex().substr(0, 16) + "…) is not the pinned " +
                           std::string(snp::kds_name(*c.product)) + " ARK (sha256 " +
                           pinned->ark.sha256_hex().substr(0, 16) + "…)"));
      return;
    }
    ark_note = "the chain's ARK " + describe(cert) + " equals the pinned " +
               std::string(snp::kds_name(*c.product)) + " root";
  }
  if (auto self = c.link(*c.ark, *c.ark); !self) {
    c.out.add(failed("chain.ark", kEndorsement, "ARK is not self-signed: " + self.error().message));
    return;
  }
  c.out.add(pass("chain.ark", kEndorsement, ark_note + ", self-signed (RSA-PSS SHA-384)"));

  // ASK/ASVK: the CA that the signer names as issuer, from the chain or the pinned set.
  const bool vlek = c.report.key_info().signing_key() == snp::SigningKey::kVlek;
  const char* ca_id = vlek ? "chain.asvk" : "chain.ask";
  std::vector<const Certificate*> candidates;
  for (const Certificate& cert : c.endorsements.chain) {
    if (!cert.is_self_issued()) candidates.push_back(&cert);
  }
  candidates.push_back(&pinned->ask);
  if (pinned->asvk) candidates.push_back(&*pinned->asvk);
  std::string wanted = c.endorsements.signer ? c.endorsements.signer->issuer_cn()
                                             : snp::ca_common_name(*c.product, vlek);
  auto it = std::find_if(candidates.begin(), candidates.end(),
                         [&](const Certificate* cert) { return cert->subject_cn() == wanted; });
  if (it == candidates.end()) {
    c.out.add(failed(ca_id, kEndorsement,
                     "no CA certificate named '" + wanted + "' in the chain or the pinned " +
                         std::string(snp::kds_name(*c.product)) + " roots"));
    return;
  }
  c.ca = *it;
  if (auto signed_by = c.link(*c.ca, *c.ark); !signed_by) {
    c.out.add(failed(ca_id, kEndorsement, signed_by.error().message));
    return;
  }
  c.out.add(pass(ca_id, kEndorsement,
                 describe(*c.ca) + " is signed by " + describe(*c.ark) + " (RSA-PSS SHA-384)"));

  if (!c.endorsements.signer) {
    c.out.add(failed("chain.signer", kEndorsement,
                     std::string("no ") + (vlek ? "VLEK" : "VCEK") +
                         " certificate given: the report signature cannot be checked"));
    return;
  }
  if (auto signed_by = c.link(*c.endorsements.signer, *c.ca); !signed_by) {
    c.out.add(failed("chain.signer", kEndorsement, signed_by.error().message));
    return;
  }
  c.out.add(pass("chain.signer", kEndorsement,
                 describe(*c.endorsements.signer) + " is signed by " + describe(*c.ca) +
                     " (RSA-PSS SHA-384)"));
  c.chain_ok = true;
}

void check_key_kind(Context& c) {
  if (!c.endorsements.signer) return;
  auto key = c.report.key_info().signing_key();
  bool cert_vlek = c.signer_ext && snp::is_vlek(*c.endorsements.signer, *c.signer_ext);
  std::string cert_kind = cert_vlek ? "VLEK" : "VCEK";
  if (!key || *key == snp::SigningKey::kNone) {
    c.out.add(failed("signer.key_kind", kEvidence,
                     "KEY_INFO.SIGNING_KEY is " +
                         std::to_string(c.report.key_info().signing_key_field()) +
                         ": the report is not signed by a VCEK or VLEK"));
    return;
  }
  std::string report_kind(snp::to_string(*key));
  if (report_kind != cert_kind) {
    c.out.add(failed("signer.key_kind", kEvidence,
                     "KEY_INFO says the report is " + report_kind + "-signed but the certificate " +
                         describe(*c.endorsements.signer) + " is a " + cert_kind));
    return;
  }
  c.out.add(pass("signer.key_kind", kEvidence,
                 "KEY_INFO.SIGNING_KEY " + report_kind + " matches the certificate (" + cert_kind +
                     ")"));
}

void check_validity(Context& c) {
  std::vector<const Certificate*> in_use;
  if (c.ark) in_use.push_back(c.ark);
  if (c.ca) in_use.push_back(c.ca);
  if (c.endorsements.signer) in_use.push_back(&*c.endorsements.signer);
  if (in_use.empty()) return;
  const std::string at = veritee::format_time(c.options.now);
  for (const Certificate* cert : in_use) {
    if (!cert->valid_at(c.options.now)) {
      c.out.add(failed("chain.validity", kEndorsement,
                       describe(*cert) + " is valid from " + veritee::format_time(cert->not_before()) +
                           " to " + veritee::format_time(cert->not_after()) + ", not at " + at +
                           " (use --at to verify as of another time)"));
      return;
    }
  }
  c.out.add(pass("chain.validity", kEndorsement,
                 std::to_string(in_use.size()) + (in_use.size() == 1 ? " certificate" : " certificates") +
                     " in use, all valid at " + at));
}

void check_crl(Context& c) {
  if (!c.endorsements.crl) {
    if (c.options.require_crl) {
      c.out.add(failed("chain.crl", kEndorsement, "a CRL is required but none was given"));
    } else {
      c.out.add(skipped("chain.crl", kEndorsement, "no CRL given: revocation not checked"));
    }
    return;
  }
  const x509::Crl& crl = *c.endorsements.crl;
  if (!c.ark) {
    c.out.add(failed("chain.crl", kEndorsement, "no ARK to check the CRL's signature with"));
    return;
  }
  if (auto ok = crl.verify_signed_by(*c.ark); !ok) {
    c.out.add(failed("chain.crl", kEndorsement, ok.error().message));
    return;
  }
  if (!crl.current_at(c.options.now)) {
    auto next = crl.next_update();
    c.out.add(failed("chain.crl", kEndorsement,
                     "the CRL is for " + veritee::format_time(crl.this_update()) + " to " +
                         (next ? veritee::format_time(*next) : std::string("(no nextUpdate)")) +
                         ", not current at " + veritee::format_time(c.options.now)));
    return;
  }
  for (const Certificate* cert : {c.ca, c.endorsements.signer ? &*c.endorsements.signer : nullptr}) {
    if (cert && crl.revokes(*cert)) {
      c.out.add(failed("chain.crl", kEndorsement,
                       describe(*cert) + " (serial " + cert->serial_hex() +
                           ") is revoked by the CRL of " + describe(*c.ark)));
      return;
    }
  }
  c.out.add(pass("chain.crl", kEndorsement,
                 "CRL signed by " + describe(*c.ark) + ", current at " +
                     veritee::format_time(c.options.now) + ", revokes neither the CA nor the signer"));
}

void check_signature(Context& c) {
  if (!c.endorsements.signer) {
    c.out.add(failed("report.signature", kEndorsement,
                     "no signing certificate: the report signature cannot be checked"));
    return;
  }
  auto ok = verify::verify_report_signature(c.report, *c.endorsements.signer);
  if (!ok) {
    auto subject = ok.error().code == Errc::kInvalidInput ? kEvidence : kEndorsement;
    c.out.add(failed("report.signature", subject, ok.error().message));
    return;
  }
  c.out.add(pass("report.signature", kEvidence,
                 "ECDSA P-384 SHA-384 signature over bytes [0x000, 0x2A0) verifies with the key of " +
                     describe(*c.endorsements.signer)));
}

void check_tcb(Context& c) {
  if (!c.endorsements.signer || !c.signer_ext) return;
  if (!c.product) {
    c.out.add(failed("report.tcb", kEvidence,
                     "REPORTED_TCB cannot be decoded: the product (and so the TCB layout) is "
                     "unknown"));
    return;
  }
  auto cert_tcb = snp::certificate_tcb(*c.signer_ext, *c.product);
  if (!cert_tcb) {
    c.out.add(failed("report.tcb", kEndorsement, cert_tcb.error().message));
    return;
  }
  const snp::TcbParts& cert = *cert_tcb;
  snp::TcbParts reported = c.report.reported_tcb().decode(*c.product);
  if (!(cert == reported)) {
    c.out.add(failed("report.tcb", kEvidence,
                     "REPORTED_TCB (" + reported.to_string() + ", " +
                         std::string(snp::kds_name(*c.product)) +
                         " layout) differs from the certificate's SPLs (" + cert.to_string() + ")"));
    return;
  }
  c.out.add(pass("report.tcb", kEvidence,
                 "REPORTED_TCB (" + reported.to_string() + ") equals the certificate's SPLs"));
}

void check_chip_id(Context& c) {
  if (!c.endorsements.signer || !c.signer_ext) return;
  if (c.report.key_info().signing_key() == snp::SigningKey::kVlek) {
    c.out.add(skipped("report.chip_id", kEvidence,
                      "VLEK-signed report: the VLEK is not bound to a chip, CHIP_ID not compared"));
    return;
  }
  if (c.report.key_info().mask_chip_key()) {
    c.out.add(skipped("report.chip_id", kEvidence,
                      "MASK_CHIP_KEY is set: CHIP_ID is zero by design, not compared"));
    return;
  }
  if (!c.product) {
    c.out.add(failed("report.chip_id", kEvidence,
                     "CHIP_ID cannot be compared: the product (and so the hwID length) is unknown"));
    return;
  }
  if (!c.signer_ext->hw_id) {
    c.out.add(failed("report.chip_id", kEndorsement, "the VCEK has no hwID extension"));
    return;
  }
  const Bytes& hw = *c.signer_ext->hw_id;
  const ByteView chip = c.report.chip_id();
  const bool turin = c.product == Product::kTurin;
  const std::size_t n = snp::hw_id_size(*c.product);
  if (hw.size() != n || !snp::names_chip(hw, chip)) {
    c.out.add(failed("report.chip_id", kEvidence,
                     "CHIP_ID " + to_hex(chip.first(n)) + (turin ? " (Turin: first 8 bytes)" : "") +
                         " differs from the VCEK's hwID " + to_hex(hw) +
                         (turin && !all_zero(chip.subspan(n)) ? " or bytes 8..63 are not zero" : "")));
    return;
  }
  c.out.add(pass("report.chip_id", kEvidence,
                 "CHIP_ID equals the VCEK's hwID (" + std::to_string(n) + " bytes, " +
                     to_hex(chip.first(8)) + "…)"));
}

}  // namespace

VerificationResult Verifier::verify(const snp::Report& report, const Endorsements& endorsements,
                                    const VerifyOptions& options) const {
  VerificationResult result;
  result.checks.checks.reserve(12);  // the ten checks and a few findings, without regrowing
  Context c{report, endorsements, options, *roots_, memo_, result.checks, {}, {}, nullptr, nullptr, false};
  check_signer_extensions(c);
  check_product(c);
  check_well_formed(c);
  check_chain(c);
  check_key_kind(c);
  check_validity(c);
  check_crl(c);
  check_signature(c);
  check_tcb(c);
  check_chip_id(c);
  result.product = c.product;
  return result;
}

}  // namespace veritee
