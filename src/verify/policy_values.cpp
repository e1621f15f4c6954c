// Policy values from command-line text (include/veritee/rats/policy_values.hpp).
#include "veritee/verify/policy_values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace veritee::verify {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view strip_0x(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

Result<std::uint8_t> u8_text(std::string_view text, std::string_view what) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v > 255) {
    return fail(Errc::kInvalidInput,
                std::string(what) + ": '" + std::string(text) + "' is not a number 0-255");
  }
  return static_cast<std::uint8_t>(v);
}

}  // namespace

Result<Bytes> field_hex(std::string_view text, std::initializer_list<std::size_t> sizes) {
  const std::string_view digits = strip_0x(trim(text));
  std::string want;
  for (std::size_t s : sizes) {
    want += (want.empty() ? "" : " or ") + std::to_string(s) + " bytes (" + std::to_string(2 * s) +
            " hex digits)";
  }
  auto bytes = from_hex(digits);
  if (!bytes) return fail(Errc::kInvalidInput, "expected " + want + "; " + bytes.error().message);
  if (std::find(sizes.begin(), sizes.end(), bytes->size()) == sizes.end()) {
    return fail(Errc::kInvalidInput, "expected " + want + ", got " +
                                         std::to_string(bytes->size()) + " bytes (" +
                                         std::to_string(digits.size()) + " hex digits)");
  }
  return bytes;
}

Result<TcbRule> tcb_minimum_text(std::string_view text) {
  text = trim(text);
  TcbRule rule;
  if (text.find('=') == std::string_view::npos) {
    // A raw TCB_VERSION: 8 bytes, little-endian like every integer in the report.
    const std::string_view digits = strip_0x(text);
    std::uint64_t raw = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), raw, 16);
    if (digits.size() != 16 || ec != std::errc() || end != digits.data() + digits.size()) {
      return fail(Errc::kInvalidInput,
                  "'" + std::string(text) +
                      "' is neither SPLs like bl=3,tee=0,snp=8,ucode=115[,fmc=1] nor a raw "
                      "TCB_VERSION of 16 hex digits");
    }
    const snp::TcbVersion tcb(raw);
    for (snp::Product p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
      if (!tcb.reserved_clear(p)) continue;
      const snp::TcbParts parts = tcb.decode(p);
      rule.per_product[p] = TcbMinimum{parts.boot_loader, parts.tee, parts.snp, parts.microcode, parts.fmc};
    }
    if (rule.per_product.empty()) {
      return fail(Errc::kInvalidInput, "TCB_VERSION " + std::string(digits) +
                                           " has reserved bytes set under every product's layout "
                                           "(ABI 1.58 Table 3)");
    }
    return rule;
  }
  TcbMinimum& m = rule.all;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = trim(text.substr(pos, comma - pos));
    const std::size_t eq = item.find('=');
    const std::string name = eq == std::string_view::npos ? std::string(item) : upper(trim(item.substr(0, eq)));
    std::optional<std::uint8_t>* slot = name == "BL" ? &m.bl
                                        : name == "TEE" ? &m.tee
                                        : name == "SNP" ? &m.snp
                                        : name == "UCODE" ? &m.ucode
                                        : name == "FMC" ? &m.fmc
                                                        : nullptr;
    if (eq == std::string_view::npos || !slot) {
      return fail(Errc::kInvalidInput, "'" + std::string(item) +
                                           "': expected NAME=N with NAME one of bl, tee, snp, "
                                           "ucode, fmc");
    }
    if (*slot) return fail(Errc::kInvalidInput, "'" + std::string(text) + "' sets " + name + " twice");
    auto value = u8_text(trim(item.substr(eq + 1)), name);
    if (!value) return std::unexpected(value.error());
    *slot = *value;
    pos = comma + 1;
  }
  return rule;
}

Result<snp::FirmwareVersion> version_text(std::string_view text, bool* has_build) {
  text = trim(text);
  std::vector<std::uint8_t> parts;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t dot = std::min(text.find('.', pos), text.size());
    auto v = u8_text(text.substr(pos, dot - pos), "version '" + std::string(text) + "'");
    if (!v) return std::unexpected(v.error());
    parts.push_back(*v);
    pos = dot + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    return fail(Errc::kInvalidInput,
                "'" + std::string(text) + "' is not a version like 1.55 or 1.55.21");
  }
  if (has_build) *has_build = parts.size() == 3;
  return snp::FirmwareVersion{parts[0], parts[1], parts.size() == 3 ? parts[2] : std::uint8_t{0}};
}

Result<RequiredBit> named_bit(std::span<const snp::NamedBit> table, std::string_view name) {
  const std::string want = upper(trim(name));
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const snp::NamedBit& b) { return b.name == want; });
  if (it == table.end()) {
    std::string known;
    for (const auto& b : table) known += (known.empty() ? "" : ", ") + std::string(b.name);
    return fail(Errc::kInvalidInput, "unknown bit '" + std::string(name) + "' (known: " + known + ")");
  }
  return RequiredBit{std::string(it->name), it->bit};
}

}  // namespace veritee::verify
