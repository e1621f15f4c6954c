// KDS paths (AMD doc 57230, section 4 "KDS Interface"; DESIGN.md 3.6).
#include "veritee/endorse/kds_url.hpp"

#include <string>

#include "veritee/snp/chip_identity.hpp"
#include "veritee/snp/key_info.hpp"

namespace veritee::endorse {

namespace {
}  // namespace

std::string_view to_string(Line line) { return line == Line::kVlek ? "vlek" : "vcek"; }

Result<VcekRequest> VcekRequest::from_report(const snp::Report& report, snp::Product product) {
  const snp::KeyInfo key = report.key_info();
  const auto signing_key = key.signing_key();
  if (signing_key == snp::SigningKey::kVlek) {
    return fail(Errc::kUnsupported,
                "the report is VLEK-signed: KDS does not serve VLEKs to guests; the host puts the "
                "VLEK in the certificate table");
  }
  if (signing_key != snp::SigningKey::kVcek) {
    return fail(Errc::kInvalidInput, "KEY_INFO.SIGNING_KEY is " +
                                         std::to_string(key.signing_key_field()) +
                                         ", not VCEK (0): there is no VCEK to ask KDS for");
  }
  if (key.mask_chip_key()) {
    return fail(Errc::kUnsupported,
                "KEY_INFO.MASK_CHIP_KEY is set: CHIP_ID is masked, so KDS cannot be asked for "
                "this chip's VCEK; supply it from the certificate table or --vcek");
  }
  auto hw_id = snp::hw_id_of(report.chip_id(), product);
  if (!hw_id) {
    return fail(hw_id.error().code, hw_id.error().message + "; there is no hwID to ask KDS for");
  }
  VcekRequest request{product, Bytes(hw_id->begin(), hw_id->end()),
                      report.reported_tcb().decode(product)};
  if (product == snp::Product::kTurin) {
    if (!request.tcb.fmc) request.tcb.fmc = 0;  // decode(Turin) always sets it
  } else {
    request.tcb.fmc.reset();
  }
  return request;
}

std::string VcekRequest::describe() const {
  return std::string(snp::kds_name(product)) + " " + tcb.to_string() + " hwid=" + hw_id_hex();
}

// AMD doc 57230, section 4.1 "Get VCEK": SPLs as decimal query parameters.
std::string vcek_path(const VcekRequest& r) {
  std::string path = "/vcek/v1/" + std::string(snp::kds_name(r.product)) + "/" + r.hw_id_hex();
  path += "?blSPL=" + std::to_string(r.tcb.boot_loader);
  path += "&teeSPL=" + std::to_string(r.tcb.tee);
  path += "&snpSPL=" + std::to_string(r.tcb.snp);
  path += "&ucodeSPL=" + std::to_string(r.tcb.microcode);
  if (r.product == snp::Product::kTurin) path += "&fmcSPL=" + std::to_string(r.tcb.fmc.value_or(0));
  return path;
}

std::string chain_path(snp::Product product, Line line) {
  return "/" + std::string(to_string(line)) + "/v1/" + std::string(snp::kds_name(product)) +
         "/cert_chain";
}

std::string crl_path(snp::Product product, Line line) {
  return "/" + std::string(to_string(line)) + "/v1/" + std::string(snp::kds_name(product)) +
         "/crl";
}

}  // namespace veritee::endorse
