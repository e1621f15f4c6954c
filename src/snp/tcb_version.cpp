#include "veritee/snp/tcb_version.hpp"

#include <charconv>

namespace veritee::snp {
namespace {

// Byte positions of each SPL (ABI 1.58 Table 3; DESIGN.md 3.2). -1: not in this layout.
struct TcbLayout {
  int fmc, boot_loader, tee, snp, microcode;
  std::uint64_t reserved_mask;
};

constexpr TcbLayout kMilanGenoa{-1, 0, 1, 6, 7, 0x0000FFFFFFFF0000ULL};
constexpr TcbLayout kTurin{0, 1, 2, 3, 7, 0x00FFFFFF00000000ULL};

const TcbLayout& layout_of(Product product) {
  return product == Product::kTurin ? kTurin : kMilanGenoa;
}

}  // namespace

bool TcbParts::at_least(const TcbParts& minimum) const {
  if (fmc && minimum.fmc && *fmc < *minimum.fmc) return false;
  return boot_loader >= minimum.boot_loader && tee >= minimum.tee && snp >= minimum.snp &&
         microcode >= minimum.microcode;
}

std::string TcbParts::to_string() const {
  // Appended into one reserved string: every verification and appraisal writes a few of these,
  // and a chain of operator+ temporaries allocated several times for each.
  std::string s;
  s.reserve(40);  // "fmc=255 bl=255 tee=255 snp=255 ucode=255"
  auto put = [&s](const char* label, unsigned value) {
    char digits[4];
    s += label;
    s.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  };
  if (fmc) {
    put("fmc=", *fmc);
    s += ' ';
  }
  put("bl=", boot_loader);
  put(" tee=", tee);
  put(" snp=", snp);
  put(" ucode=", microcode);
  return s;
}

TcbParts TcbVersion::decode(Product product) const {
  const TcbLayout& l = layout_of(product);
  TcbParts p;
  if (l.fmc >= 0) p.fmc = byte(static_cast<unsigned>(l.fmc));
  p.boot_loader = byte(static_cast<unsigned>(l.boot_loader));
  p.tee = byte(static_cast<unsigned>(l.tee));
  p.snp = byte(static_cast<unsigned>(l.snp));
  p.microcode = byte(static_cast<unsigned>(l.microcode));
  return p;
}

bool TcbVersion::reserved_clear(Product product) const {
  return (raw_ & layout_of(product).reserved_mask) == 0;
}

TcbVersion TcbVersion::encode(Product product, const TcbParts& parts) {
  const TcbLayout& l = layout_of(product);
  auto at = [](int pos, std::uint8_t v) {
    return pos < 0 ? 0ULL : std::uint64_t{v} << (8 * pos);
  };
  return TcbVersion(at(l.fmc, parts.fmc.value_or(0)) | at(l.boot_loader, parts.boot_loader) |
                    at(l.tee, parts.tee) | at(l.snp, parts.snp) |
                    at(l.microcode, parts.microcode));
}

}  // namespace veritee::snp
