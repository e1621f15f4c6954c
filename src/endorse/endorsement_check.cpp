// Checks on endorsements before they are stored or used (DESIGN.md 3.5, invariant 6).
#include "veritee/endorse/endorsement_check.hpp"

#include "veritee/snp/chip_identity.hpp"

#include <algorithm>
#include <string>

namespace veritee::endorse {

namespace {

Result<const snp::ProductRoots*> pinned(const snp::TrustStore& roots, snp::Product product) {
  const snp::ProductRoots* r = roots.roots(product);
  if (!r) {
    return fail(Errc::kEndorsementInvalid,
                "no pinned roots for " + std::string(snp::kds_name(product)));
  }
  return r;
}

std::string spl_text(const char* name, std::optional<std::uint8_t> got, unsigned want) {
  return std::string(name) + " " + (got ? std::to_string(*got) : std::string("absent")) +
         " (asked for " + std::to_string(want) + ")";
}

}  // namespace

// AMD doc 57230, section 3 "VCEK Certificate": signed by the ASK; hwID and SPL extensions
// name the chip and TCB the key was derived for.
Result<x509::Certificate> check_vcek(ByteView der, const VcekRequest& request,
                                     const snp::TrustStore& roots) {
  const std::string what = "VCEK for " + request.describe();
  auto certs = x509::Certificate::load_all(der);
  if (!certs) {
    return fail(Errc::kEndorsementInvalid,
                what + ": not a certificate (" + certs.error().message + ")");
  }
  if (certs->size() != 1) {
    return fail(Errc::kEndorsementInvalid, what + ": expected one certificate, got " +
                                               std::to_string(certs->size()));
  }
  x509::Certificate vcek = std::move(certs->front());
  auto r = pinned(roots, request.product);
  if (!r) return std::unexpected(r.error());
  if (auto ok = vcek.verify_signed_by((*r)->ask); !ok) {
    return fail(Errc::kEndorsementInvalid,
                what + ": not signed by the pinned " + (*r)->ask.subject_cn() + " (issuer \"" +
                    vcek.issuer_cn() + "\"): " + ok.error().message);
  }
  if (auto ok = (*r)->ask.verify_signed_by((*r)->ark); !ok) {
    return fail(Errc::kEndorsementInvalid, "the pinned " + (*r)->ask.subject_cn() +
                                               " is not signed by the pinned ARK: " +
                                               ok.error().message);
  }
  auto ext = vcek.amd_extensions();
  if (!ext) return fail(Errc::kEndorsementInvalid, what + ": " + ext.error().message);

  if (ext->product_name) {
    auto named = snp::product_from_certificate_name(*ext->product_name);
    if (!named || *named != request.product) {
      return fail(Errc::kEndorsementInvalid, what + ": productName is \"" + *ext->product_name +
                                                 "\", not " +
                                                 std::string(snp::kds_name(request.product)));
    }
  }
  if (!ext->hw_id) return fail(Errc::kEndorsementInvalid, what + ": no hwID extension");
  if (!std::ranges::equal(*ext->hw_id, request.hw_id)) {
    return fail(Errc::kEndorsementInvalid,
                what + ": a VCEK for another chip (hwID " + to_hex(*ext->hw_id) + ")");
  }
  std::string mismatch;
  auto compare = [&](const char* name, std::optional<std::uint8_t> got, unsigned want) {
    if (!got || *got != want) mismatch += (mismatch.empty() ? "" : ", ") + spl_text(name, got, want);
  };
  compare("blSPL", ext->bl_spl, request.tcb.boot_loader);
  compare("teeSPL", ext->tee_spl, request.tcb.tee);
  compare("snpSPL", ext->snp_spl, request.tcb.snp);
  compare("ucodeSPL", ext->ucode_spl, request.tcb.microcode);
  if (request.tcb.fmc) compare("fmcSPL", ext->fmc_spl, *request.tcb.fmc);
  if (!mismatch.empty()) {
    return fail(Errc::kEndorsementInvalid, what + ": a VCEK for another TCB: " + mismatch);
  }
  return vcek;
}

// AMD doc 57230, section 4.2 "Get certificate chain": PEM, ASK (or ASVK) then ARK.
Result<std::vector<x509::Certificate>> check_chain(ByteView pem, snp::Product product, Line line,
                                                   const snp::TrustStore& roots) {
  const std::string what =
      std::string(snp::kds_name(product)) + " " + std::string(to_string(line)) + " cert_chain";
  auto certs = x509::Certificate::load_all(pem);
  if (!certs) {
    return fail(Errc::kEndorsementInvalid, what + ": not certificates (" +
                                               certs.error().message + ")");
  }
  if (certs->size() != 2) {
    return fail(Errc::kEndorsementInvalid,
                what + ": expected 2 certificates (CA, ARK), got " + std::to_string(certs->size()));
  }
  auto r = pinned(roots, product);
  if (!r) return std::unexpected(r.error());
  const x509::Certificate* ark = nullptr;
  const x509::Certificate* ca = nullptr;
  for (const auto& cert : *certs) (cert.is_self_issued() ? ark : ca) = &cert;
  if (!ark || !ca) {
    return fail(Errc::kEndorsementInvalid, what + ": needs one self-signed ARK and one CA");
  }
  if (!(*ark == (*r)->ark)) {
    return fail(Errc::kEndorsementInvalid,
                what + ": its ARK (sha256 " + ark->sha256_hex() + ") is not the pinned " +
                    (*r)->ark.subject_cn() + " (sha256 " + (*r)->ark.sha256_hex() + ")");
  }
  if (auto ok = ca->verify_signed_by(*ark); !ok) {
    return fail(Errc::kEndorsementInvalid, what + ": " + ca->subject_cn() +
                                               " is not signed by the ARK: " + ok.error().message);
  }
  const std::string cn = ca->subject_cn();
  auto ca_product = snp::product_from_certificate_name(cn);
  const bool vlek_ca = snp::is_asvk_name(cn);
  if (!ca_product || *ca_product != product || vlek_ca != (line == Line::kVlek)) {
    return fail(Errc::kEndorsementInvalid, what + ": its CA is \"" + cn + "\", not the " +
                                               (line == Line::kVlek ? "ASVK" : "ASK") + " of " +
                                               std::string(snp::kds_name(product)));
  }
  return std::move(*certs);
}

// AMD doc 57230, section 4.3 "Certificate Revocation List": DER, signed by the ARK.
Result<x509::Crl> check_crl(ByteView der, snp::Product product, const snp::TrustStore& roots) {
  const std::string what = std::string(snp::kds_name(product)) + " CRL";
  auto crl = x509::Crl::load(der);
  if (!crl) {
    return fail(Errc::kEndorsementInvalid, what + ": not a CRL (" + crl.error().message + ")");
  }
  auto r = pinned(roots, product);
  if (!r) return std::unexpected(r.error());
  if (auto ok = crl->verify_signed_by((*r)->ark); !ok) {
    return fail(Errc::kEndorsementInvalid, what + ": not signed by the pinned " +
                                               (*r)->ark.subject_cn() + " (issuer \"" +
                                               crl->issuer_cn() + "\"): " + ok.error().message);
  }
  return std::move(*crl);
}

}  // namespace veritee::endorse
