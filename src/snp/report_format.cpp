// Every field of every report version, as JSON (docs/json.md) and as text. Field names follow
// ABI 1.58 Table 22 (lowercase in JSON).
#include "veritee/snp/report_format.hpp"

#include <cstdio>
#include <sstream>

namespace veritee::snp {
namespace {

using nlohmann::json;

std::string hex_u64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex_u8(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", v);
  return buf;
}

json tcb_json(TcbVersion tcb, const ProductDecision& ctx) {
  json j{{"raw", hex_u64(tcb.raw())}};
  if (!ctx.product) {
    j["decoded"] = false;
    j["reason"] = ctx.problem.empty() ? "product unknown" : ctx.problem;
    return j;
  }
  TcbParts p = tcb.decode(*ctx.product);
  j["decoded"] = true;
  if (p.fmc) j["fmc"] = *p.fmc;
  j["boot_loader"] = p.boot_loader;
  j["tee"] = p.tee;
  j["snp"] = p.snp;
  j["microcode"] = p.microcode;
  j["reserved_clear"] = tcb.reserved_clear(*ctx.product);
  return j;
}

json bits_json(std::uint64_t raw, std::span<const NamedBit> bits) {
  json j{{"raw", hex_u64(raw)}};
  for (const NamedBit& b : bits) {
    std::string key(b.name);
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    j[key] = bit_set(raw, b.bit);
  }
  return j;
}

json version_json(FirmwareVersion v) {
  return {{"major", v.major}, {"minor", v.minor}, {"build", v.build}, {"text", v.to_string()}};
}

std::string tcb_text(TcbVersion tcb, const ProductDecision& ctx) {
  std::string s = hex_u64(tcb.raw());
  if (!ctx.product) return s + "  (not decoded: " + (ctx.problem.empty() ? "product unknown" : ctx.problem) + ")";
  s += "  " + tcb.decode(*ctx.product).to_string();
  if (!tcb.reserved_clear(*ctx.product)) s += "  RESERVED BYTES SET";
  return s;
}

std::string bits_text(std::uint64_t raw, std::span<const NamedBit> bits) {
  std::string s = hex_u64(raw);
  std::string set;
  for (const NamedBit& b : bits) {
    if (bit_set(raw, b.bit)) set += (set.empty() ? "" : " ") + std::string(b.name);
  }
  return s + "  [" + set + "]";
}

}  // namespace

json report_to_json(const Report& r, const ProductDecision& ctx) {
  const GuestPolicy pol = r.policy();
  json policy = bits_json(pol.raw(), GuestPolicy::bits());
  policy["abi_major"] = pol.abi_major();
  policy["abi_minor"] = pol.abi_minor();
  policy["mbz_clear"] = pol.mbz_bits() == 0;

  const KeyInfo key = r.key_info();
  auto signing = key.signing_key();
  json key_info{{"raw", hex_u64(key.raw())},
                {"author_key_en", key.author_key_en()},
                {"mask_chip_key", key.mask_chip_key()},
                {"signing_key", signing ? json(std::string(to_string(*signing)))
                                        : json("reserved(" + std::to_string(key.signing_key_field()) + ")")}};

  json cpuid = nullptr;
  if (auto id = r.cpuid()) {
    cpuid = {{"family", hex_u8(id->family)}, {"model", hex_u8(id->model)},
             {"stepping", hex_u8(id->stepping)}};
    if (auto p = product_from_cpuid(*id)) {
      cpuid["product"] = std::string(to_string(p->product));
      cpuid["model_name"] = std::string(p->model_name);
    } else {
      cpuid["product"] = nullptr;
    }
  }
  auto opt_u64 = [](std::optional<std::uint64_t> v) { return v ? json(hex_u64(*v)) : json(nullptr); };

  json findings = json::array();
  for (const Finding& f : r.findings(ctx.product)) {
    findings.push_back({{"severity", f.severity == Finding::Severity::kError ? "error" : "note"},
                        {"id", f.id},
                        {"message", f.message}});
  }

  json j;
  j["version"] = r.version();
  j["version_known"] = r.version_known();
  j["product"] = ctx.product ? json(std::string(to_string(*ctx.product))) : json(nullptr);
  j["product_source"] = std::string(ctx.source_name());
  if (!ctx.problem.empty()) j["product_problem"] = ctx.problem;
  j["signing_key"] = signing ? json(std::string(to_string(*signing))) : json(nullptr);
  j["guest_svn"] = r.guest_svn();
  j["policy"] = policy;
  j["family_id"] = to_hex(r.family_id());
  j["image_id"] = to_hex(r.image_id());
  j["vmpl"] = r.vmpl();
  j["signature_algo"] = r.signature_algo();
  j["current_tcb"] = tcb_json(r.current_tcb(), ctx);
  j["platform_info"] = bits_json(r.platform_info().raw(), PlatformInfo::bits());
  j["key_info"] = key_info;
  j["report_data"] = to_hex(r.report_data());
  j["measurement"] = to_hex(r.measurement());
  j["host_data"] = to_hex(r.host_data());
  j["id_key_digest"] = to_hex(r.id_key_digest());
  j["author_key_digest"] = to_hex(r.author_key_digest());
  j["report_id"] = to_hex(r.report_id());
  j["report_id_ma"] = to_hex(r.report_id_ma());
  j["reported_tcb"] = tcb_json(r.reported_tcb(), ctx);
  j["cpuid"] = cpuid;
  j["chip_id"] = to_hex(r.chip_id());
  j["committed_tcb"] = tcb_json(r.committed_tcb(), ctx);
  j["current_version"] = version_json(r.current_version());
  j["committed_version"] = version_json(r.committed_version());
  j["launch_tcb"] = tcb_json(r.launch_tcb(), ctx);
  j["launch_mit_vector"] = opt_u64(r.launch_mit_vector());
  j["current_mit_vector"] = opt_u64(r.current_mit_vector());
  j["signature"] = {{"r", to_hex(r.signature_r())}, {"s", to_hex(r.signature_s())}};
  j["findings"] = findings;
  return j;
}

std::string report_to_text(const Report& r, const ProductDecision& ctx) {
  std::ostringstream o;
  auto line = [&](std::string_view name, const std::string& value) {
    o << "  " << name;
    for (std::size_t i = name.size(); i < 20; ++i) o << ' ';
    o << value << '\n';
  };
  auto hex = [](ByteView b) { return to_hex(b); };
  o << "ATTESTATION_REPORT version " << r.version()
    << (r.version_known() ? "" : "  (UNKNOWN VERSION: layout not trusted)") << '\n';
  line("PRODUCT", ctx.product ? std::string(kds_name(*ctx.product)) + " (from " + std::string(ctx.source_name()) + ")"
                              : "unknown: " + ctx.problem);
  if (ctx.product && !ctx.problem.empty()) line("", "warning: " + ctx.problem);
  line("GUEST_SVN", std::to_string(r.guest_svn()));
  const GuestPolicy pol = r.policy();
  line("POLICY", bits_text(pol.raw(), GuestPolicy::bits()) + " ABI " +
                     std::to_string(pol.abi_major()) + "." + std::to_string(pol.abi_minor()));
  line("FAMILY_ID", hex(r.family_id()));
  line("IMAGE_ID", hex(r.image_id()));
  line("VMPL", std::to_string(r.vmpl()));
  line("SIGNATURE_ALGO", std::to_string(r.signature_algo()) +
                             (r.signature_algo() == 1 ? " (ECDSA P-384 SHA-384)" : " (unknown)"));
  line("CURRENT_TCB", tcb_text(r.current_tcb(), ctx));
  line("PLATFORM_INFO", bits_text(r.platform_info().raw(), PlatformInfo::bits()));
  const KeyInfo key = r.key_info();
  auto signing = key.signing_key();
  line("KEY_INFO", hex_u64(key.raw()) + "  SIGNING_KEY=" +
                       (signing ? std::string(to_string(*signing))
                                : "reserved(" + std::to_string(key.signing_key_field()) + ")") +
                       (key.mask_chip_key() ? " MASK_CHIP_KEY" : "") +
                       (key.author_key_en() ? " AUTHOR_KEY_EN" : ""));
  line("REPORT_DATA", hex(r.report_data()));
  line("MEASUREMENT", hex(r.measurement()));
  line("HOST_DATA", hex(r.host_data()));
  line("ID_KEY_DIGEST", hex(r.id_key_digest()));
  line("AUTHOR_KEY_DIGEST", hex(r.author_key_digest()));
  line("REPORT_ID", hex(r.report_id()));
  line("REPORT_ID_MA", hex(r.report_id_ma()));
  line("REPORTED_TCB", tcb_text(r.reported_tcb(), ctx));
  if (auto id = r.cpuid()) {
    auto p = product_from_cpuid(*id);
    line("CPUID", "family " + hex_u8(id->family) + " model " + hex_u8(id->model) + " stepping " +
                      hex_u8(id->stepping) +
                      (p ? " (" + std::string(p->model_name) + ")" : " (unknown product)"));
  }
  line("CHIP_ID", hex(r.chip_id()));
  line("COMMITTED_TCB", tcb_text(r.committed_tcb(), ctx));
  line("CURRENT_VERSION", r.current_version().to_string());
  line("COMMITTED_VERSION", r.committed_version().to_string());
  line("LAUNCH_TCB", tcb_text(r.launch_tcb(), ctx));
  if (auto v = r.launch_mit_vector()) line("LAUNCH_MIT_VECTOR", hex_u64(*v));
  if (auto v = r.current_mit_vector()) line("CURRENT_MIT_VECTOR", hex_u64(*v));
  line("SIGNATURE_R", hex(r.signature_r().first(48)));
  line("SIGNATURE_S", hex(r.signature_s().first(48)));
  auto findings = r.findings(ctx.product);
  if (!findings.empty()) {
    o << "findings:\n";
    for (const Finding& f : findings) {
      o << "  " << (f.severity == Finding::Severity::kError ? "error" : "note ") << " " << f.id
        << ": " << f.message << '\n';
    }
  }
  return o.str();
}

}  // namespace veritee::snp
