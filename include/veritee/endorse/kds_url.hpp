// What AMD's Key Distribution Service serves and where (AMD doc 57230, section 4 "KDS
// Interface"; DESIGN.md 3.6). Paths are relative to the KDS base URL, e.g.
//   /vcek/v1/Milan/<hwid>?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115
//   /vcek/v1/Turin/<hwid>?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..&fmcSPL=..
//   /vcek/v1/Genoa/cert_chain   /vlek/v1/Genoa/cert_chain   /vcek/v1/Milan/crl
#pragma once

#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/tcb_version.hpp"

namespace veritee::endorse {

inline constexpr std::string_view kDefaultBaseUrl = "https://kdsintf.amd.com";

// The two certificate lines KDS serves: VCEKs under the ASK, VLEKs under the ASVK.
enum class Line { kVcek, kVlek };
std::string_view to_string(Line line);  // "vcek", "vlek": also the URL segment

// One VCEK: the chip (hwID) and the TCB it was derived for.
struct VcekRequest {
  snp::Product product;
  Bytes hw_id;         // CHIP_ID: 64 bytes; Turin: its first 8 bytes
  snp::TcbParts tcb;   // REPORTED_TCB decoded with the product's layout (Turin has fmc)

  // From a VCEK-signed report. Fails when KDS cannot be asked: a VLEK-signed report (VLEKs
  // are not served to guests), MASK_CHIP_KEY set or CHIP_ID zero (no hwID), a Turin CHIP_ID
  // with bytes past the first 8 set.
  static Result<VcekRequest> from_report(const snp::Report& report, snp::Product product);

  std::string hw_id_hex() const { return to_hex(hw_id); }
  // "bl=3 tee=0 snp=8 ucode=115 hwid=0123abcd..." for messages.
  std::string describe() const;
};

// Bergamo and Siena are served on the Genoa line: the segment is snp::kds_name(product).
std::string vcek_path(const VcekRequest& request);
std::string chain_path(snp::Product product, Line line);
std::string crl_path(snp::Product product, Line line);

}  // namespace veritee::endorse
