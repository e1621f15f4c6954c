// Chip identities and VLEK detection (DESIGN.md 3.5; AMD doc 57230 for the hwID and CSP_ID
// extensions).
#include "veritee/snp/chip_identity.hpp"

#include <algorithm>

namespace veritee::snp {

constexpr std::size_t kTurinHwIdSize = 8;

std::size_t hw_id_size(Product product) {
  return product == Product::kTurin ? kTurinHwIdSize : 64;
}

Result<ByteView> hw_id_of(ByteView chip_id, Product product) {
  if (all_zero(chip_id)) return fail(Errc::kUnsupported, "CHIP_ID is all zero: it names no chip");
  const std::size_t n = std::min(hw_id_size(product), chip_id.size());
  if (!all_zero(chip_id.subspan(n))) {
    return fail(Errc::kInvalidInput, std::string(kds_name(product)) +
                                         " CHIP_ID has non-zero bytes after the first " +
                                         std::to_string(n) + ": not a " +
                                         std::string(kds_name(product)) + " hwID");
  }
  return chip_id.first(n);
}

bool names_chip(ByteView hw_id, ByteView chip_id) {
  if (hw_id.size() != kTurinHwIdSize && hw_id.size() != hw_id_size(Product::kMilan)) return false;
  auto named = hw_id_of(chip_id, hw_id.size() == kTurinHwIdSize ? Product::kTurin : Product::kMilan);
  return named && std::ranges::equal(*named, hw_id);
}

bool is_asvk_name(std::string_view common_name) {
  return common_name.find("VLEK") != std::string_view::npos;
}

bool is_vlek(const x509::Certificate& signer, const x509::AmdExtensions& extensions) {
  return extensions.csp_id.has_value() || is_asvk_name(signer.issuer_cn());
}

}  // namespace veritee::snp
