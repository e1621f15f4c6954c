// Cache entries and their lifetimes (AMD doc 57230: a VCEK is fixed per chip and TCB, section
// 3; a CRL is reissued by its nextUpdate, section 4.3).
#include "veritee/endorse/cache_entries.hpp"

#include "veritee/endorse/endorsement_check.hpp"

namespace veritee::endorse {

namespace {

template <class CheckResult>
Result<void> as_void(const CheckResult& result) {
  if (!result) return std::unexpected(result.error());
  return {};
}

std::string tcb_key(const snp::TcbParts& tcb) {
  std::string key;
  if (tcb.fmc) key = "fmc" + std::to_string(*tcb.fmc) + "-";
  return key + "bl" + std::to_string(tcb.boot_loader) + "-tee" + std::to_string(tcb.tee) +
         "-snp" + std::to_string(tcb.snp) + "-ucode" + std::to_string(tcb.microcode);
}

std::string line_what(snp::Product product, Line line, std::string_view object) {
  return std::string(snp::kds_name(product)) + " " + std::string(to_string(line)) + " " +
         std::string(object);
}

}  // namespace

CacheEntry vcek_entry(const VcekRequest& request, const snp::TrustStore& roots) {
  CacheEntry entry;
  entry.key = "vcek/" + std::string(snp::to_string(request.product)) + "/" +
              request.hw_id_hex() + "/" + tcb_key(request.tcb);
  entry.what = "VCEK for " + request.describe();
  entry.check = [request, roots = &roots](ByteView bytes) {
    return as_void(check_vcek(bytes, request, *roots));
  };
  return entry;  // never stale: KDS serves the same VCEK for a (product, hwID, TCB) forever
}

CacheEntry chain_entry(snp::Product product, Line line, const snp::TrustStore& roots) {
  CacheEntry entry;
  entry.key = "chain/" + std::string(snp::to_string(product)) + "/" + std::string(to_string(line));
  entry.what = line_what(product, line, "cert_chain");
  entry.check = [product, line, roots = &roots](ByteView bytes) {
    return as_void(check_chain(bytes, product, line, *roots));
  };
  entry.stale = [](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto certs = x509::Certificate::load_all(bytes);
    if (!certs) return certs.error().message;
    for (const auto& cert : *certs) {
      if (!cert.valid_at(now)) {
        return cert.subject_cn() + " is valid from " + veritee::format_time(cert.not_before()) +
               " to " + veritee::format_time(cert.not_after()) + ", not now";
      }
    }
    return std::nullopt;
  };
  return entry;
}

CacheEntry crl_entry(snp::Product product, Line line, const snp::TrustStore& roots) {
  CacheEntry entry;
  entry.key = "crl/" + std::string(snp::to_string(product)) + "/" + std::string(to_string(line));
  entry.what = line_what(product, line, "CRL");
  entry.check = [product, roots = &roots](ByteView bytes) {
    return as_void(check_crl(bytes, product, *roots));
  };
  entry.stale = [](ByteView bytes, veritee::TimePoint now) -> std::optional<std::string> {
    auto crl = x509::Crl::load(bytes);
    if (!crl) return crl.error().message;
    const auto next = crl->next_update();
    if (!next) return std::string("it has no nextUpdate");
    if (now >= *next) return "its nextUpdate " + veritee::format_time(*next) + " has passed";
    return std::nullopt;
  };
  return entry;
}

}  // namespace veritee::endorse
