// The appraisal rules, one function each, in the order of docs/policy.md. Each names the
// report's value and the policy's in its sentence. Field names are the ABI 1.58 Table 22 names.
#include "veritee/verify/appraisal.hpp"

#include <algorithm>
#include <sstream>

#include "veritee/common/bytes.hpp"
#include "veritee/snp/chip_identity.hpp"
#include "verify/rule_text.hpp"

namespace veritee::verify {

void detail::append_hex_list(std::string& out, const std::vector<Bytes>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size() && i < 3; ++i) {
    if (i) out += ", ";
    out += to_hex(values[i]);
  }
  if (values.size() > 3) {
    out += ", and ";
    out += std::to_string(values.size() - 3);
    out += " more";
  }
  out += ']';
}

std::string detail::hex_list(const std::vector<Bytes>& values) {
  std::string out;
  append_hex_list(out, values);
  return out;
}

namespace {

using detail::append_hex_list;
using detail::hex_list;

struct Context {
  const snp::Report& report;
  std::optional<snp::Product> product;
  const AppraisalPolicy& policy;
  Appraisal& out;

  void pass(std::string id, std::string detail) {
    out.checks.add({std::move(id), CheckStatus::kPass, CheckSubject::kEvidence, std::move(detail)});
  }
  void fail(std::string id, std::string detail) {
    out.checks.add({std::move(id), CheckStatus::kFail, CheckSubject::kEvidence, std::move(detail)});
  }
  void result(bool ok, std::string id, std::string detail) {
    ok ? pass(std::move(id), std::move(detail)) : fail(std::move(id), std::move(detail));
  }
  void warn(std::string id, std::string detail) {
    out.warnings.insert(id);
    pass(std::move(id), std::move(detail));
  }
};

std::string hex(ByteView b) { return to_hex(b); }

const char* yes_no(bool b) { return b ? "true" : "false"; }

// The boolean rules: always checked.

void debug(Context& c) {
  const bool set = c.report.policy().debug();
  std::string detail = "POLICY.DEBUG is " + std::to_string(set) +
                       "; the policy has allow_debug = " + yes_no(c.policy.allow_debug);
  if (!set) return c.pass("policy.debug", detail);
  if (c.policy.allow_debug) {
    return c.warn("policy.debug", detail + " (allowed, but the host can read and change guest memory: warning)");
  }
  c.fail("policy.debug", detail + ": a debuggable guest's memory is open to the host");
}

void migrate_ma(Context& c) {
  const bool set = c.report.policy().migrate_ma();
  std::string detail = "POLICY.MIGRATE_MA is " + std::to_string(set) +
                       "; the policy has allow_migrate_ma = " + yes_no(c.policy.allow_migrate_ma);
  if (!set) return c.pass("policy.migrate_ma", detail);
  if (c.policy.allow_migrate_ma) return c.warn("policy.migrate_ma", detail + " (allowed: warning)");
  c.fail("policy.migrate_ma", detail);
}

void smt(Context& c) {
  const bool set = c.report.policy().smt();
  const bool platform = c.report.platform_info().has(snp::PlatformInfo::kSmtEn);
  std::string detail = "POLICY.SMT is " + std::to_string(set) + " (PLATFORM_INFO.SMT_EN " +
                       std::to_string(platform) + "); the policy has allow_smt = " +
                       yes_no(c.policy.allow_smt);
  c.result(!set || c.policy.allow_smt, "policy.smt", detail);
}

void single_socket(Context& c) {
  const bool set = c.report.policy().single_socket();
  c.result(set || !c.policy.require_single_socket, "policy.single_socket",
           "POLICY.SINGLE_SOCKET is " + std::to_string(set) +
               "; the policy has require_single_socket = " +
               yes_no(c.policy.require_single_socket));
}

// The rules the policy may set.

void abi(Context& c) {
  if (!c.policy.min_abi) return;
  auto [major, minor] = *c.policy.min_abi;
  auto p = c.report.policy();
  const bool ok = std::pair(p.abi_major(), p.abi_minor()) >= std::pair(major, minor);
  c.result(ok, "policy.abi",
           "POLICY.ABI_MAJOR.ABI_MINOR " + std::to_string(p.abi_major()) + "." +
               std::to_string(p.abi_minor()) + (ok ? " >= " : " < ") + "min_abi " +
               std::to_string(major) + "." + std::to_string(minor));
}

void tcb(Context& c, const char* id, const TcbRule& rule,
         std::initializer_list<std::pair<const char*, snp::TcbVersion>> tcbs) {
  if (rule.empty()) return;
  if (!c.product) {
    return c.fail(id, "the product is unknown, so the TCB layout is too (DESIGN.md 3.2); the "
                      "policy's minimum cannot be compared");
  }
  const TcbMinimum& min = rule.for_product(*c.product);
  std::string detail;  // appended in place: three TCBs and the minimum are most of an appraisal
  detail.reserve(256);
  std::vector<std::string> short_of;
  for (const auto& [name, version] : tcbs) {
    auto parts = version.decode(*c.product);
    if (!detail.empty()) detail += ", ";
    detail += name;
    detail += " (";
    detail += parts.to_string();
    detail += ')';
    for (auto& s : min.shortfalls(parts)) short_of.push_back(std::string(name) + " " + s);
  }
  detail += short_of.empty() ? " at least " : " not at least ";
  detail += id == std::string_view("policy.min_tcb") ? "min_tcb" : "min_launch_tcb";
  detail += " for ";
  detail += snp::kds_name(*c.product);
  detail += " (";
  detail += min.to_string();
  detail += ')';
  if (!short_of.empty()) {
    detail += ": ";
    for (std::size_t i = 0; i < short_of.size(); ++i) detail += (i ? "; " : "") + short_of[i];
  }
  c.result(short_of.empty(), id, detail);
}

void min_tcb(Context& c) {
  tcb(c, "policy.min_tcb", c.policy.min_tcb,
      {{"REPORTED_TCB", c.report.reported_tcb()},
       {"COMMITTED_TCB", c.report.committed_tcb()},
       {"CURRENT_TCB", c.report.current_tcb()}});
}

void min_launch_tcb(Context& c) {
  tcb(c, "policy.min_launch_tcb", c.policy.min_launch_tcb, {{"LAUNCH_TCB", c.report.launch_tcb()}});
}

void guest_svn(Context& c) {
  if (!c.policy.min_guest_svn) return;
  const auto svn = c.report.guest_svn();
  c.result(svn >= *c.policy.min_guest_svn, "policy.guest_svn",
           "GUEST_SVN " + std::to_string(svn) + (svn >= *c.policy.min_guest_svn ? " >= " : " < ") +
               "min_guest_svn " + std::to_string(*c.policy.min_guest_svn));
}

void build(Context& c) {
  if (!c.policy.min_build) return;
  const auto b = c.report.current_version().build;
  c.result(b >= *c.policy.min_build, "policy.build",
           "CURRENT_BUILD " + std::to_string(b) + (b >= *c.policy.min_build ? " >= " : " < ") +
               "min_build " + std::to_string(*c.policy.min_build));
}

void version(Context& c) {
  if (!c.policy.min_version) return;
  auto have = c.report.current_version();
  auto want = *c.policy.min_version;
  bool ok = c.policy.min_version_has_build
                ? have >= want
                : std::pair(have.major, have.minor) >= std::pair(want.major, want.minor);
  std::string want_text = std::to_string(want.major) + "." + std::to_string(want.minor) +
                          (c.policy.min_version_has_build ? "." + std::to_string(want.build) : "");
  c.result(ok, "policy.version",
           "firmware CURRENT_MAJOR.MINOR.BUILD " + have.to_string() + (ok ? " >= " : " < ") +
               "min_version " + want_text);
}

void vmpl(Context& c) {
  if (c.policy.vmpl.empty()) return;
  const auto v = c.report.vmpl();
  std::string allowed;
  for (auto a : c.policy.vmpl) allowed += (allowed.empty() ? "" : ", ") + std::to_string(a);
  const bool ok = std::find(c.policy.vmpl.begin(), c.policy.vmpl.end(), v) != c.policy.vmpl.end();
  c.result(ok, "policy.vmpl",
           "VMPL " + std::to_string(v) + (ok ? " is" : " is not") + " in the allowed set {" + allowed + "}");
}

void one_of(Context& c, const char* id, const char* field, const char* key, ByteView value,
            const std::vector<Bytes>& allowed) {
  if (allowed.empty()) return;
  const bool ok = std::any_of(allowed.begin(), allowed.end(),
                              [&](const Bytes& a) { return std::ranges::equal(a, value); });
  std::string detail;
  detail.reserve(64 + 2 * value.size() * (1 + std::min<std::size_t>(allowed.size(), 3)));
  detail += field;
  detail += ' ';
  detail += hex(value);
  detail += ok ? " is one of the " : " is not one of the ";
  detail += std::to_string(allowed.size());
  detail += " in ";
  detail += key;
  detail += ' ';
  append_hex_list(detail, allowed);
  c.result(ok, id, std::move(detail));
}

void equals(Context& c, const char* id, const char* field, const char* key, ByteView value,
            const std::optional<Bytes>& want) {
  if (!want) return;
  const bool ok = std::ranges::equal(*want, value);
  std::string detail;
  detail.reserve(48 + 2 * (value.size() + want->size()));
  detail += field;
  detail += ' ';
  detail += hex(value);
  detail += ok ? " equals " : " differs from ";
  detail += key;
  detail += ' ';
  detail += hex(*want);
  c.result(ok, id, std::move(detail));
}

void measurement(Context& c) {
  one_of(c, "policy.measurement", "MEASUREMENT", "measurements", c.report.measurement(),
         c.policy.measurements);
}
void host_data(Context& c) {
  equals(c, "policy.host_data", "HOST_DATA", "host_data", c.report.host_data(), c.policy.host_data);
}
void family_id(Context& c) {
  equals(c, "policy.family_id", "FAMILY_ID", "family_id", c.report.family_id(), c.policy.family_id);
}
void image_id(Context& c) {
  equals(c, "policy.image_id", "IMAGE_ID", "image_id", c.report.image_id(), c.policy.image_id);
}
void id_key_digest(Context& c) {
  one_of(c, "policy.id_key_digest", "ID_KEY_DIGEST", "id_key_digests", c.report.id_key_digest(),
         c.policy.id_key_digests);
}
void author_key_digest(Context& c) {
  if (c.policy.author_key_digests.empty()) return;
  if (!c.report.key_info().author_key_en()) {
    return c.fail("policy.author_key_digest",
                  "KEY_INFO.AUTHOR_KEY_EN is 0 (no author key signed the ID block), so "
                  "AUTHOR_KEY_DIGEST " + hex(c.report.author_key_digest()) +
                      " is not one of author_key_digests " + hex_list(c.policy.author_key_digests));
  }
  one_of(c, "policy.author_key_digest", "AUTHOR_KEY_DIGEST", "author_key_digests",
         c.report.author_key_digest(), c.policy.author_key_digests);
}
void report_id(Context& c) {
  equals(c, "policy.report_id", "REPORT_ID", "report_id", c.report.report_id(), c.policy.report_id);
}
void report_id_ma(Context& c) {
  equals(c, "policy.report_id_ma", "REPORT_ID_MA", "report_id_ma", c.report.report_id_ma(),
         c.policy.report_id_ma);
}

void chip_id(Context& c) {
  if (c.policy.chip_ids.empty()) return;
  const ByteView chip = c.report.chip_id();
  // An 8-byte entry names a Turin chip: CHIP_ID[0:8], the rest zero (DESIGN.md 3.5).
  auto matches = [&](const Bytes& want) { return snp::names_chip(want, chip); };
  const bool ok = std::any_of(c.policy.chip_ids.begin(), c.policy.chip_ids.end(), matches);
  std::string why;
  if (!ok && all_zero(chip)) {
    why = c.report.key_info().mask_chip_key() ? " (KEY_INFO.MASK_CHIP_KEY is set: the guest hid it)"
                                               : " (CHIP_ID is all zero: a VLEK-signed report carries none)";
  }
  c.result(ok, "policy.chip_id",
           "CHIP_ID " + hex(chip) + (ok ? " is" : " is not") + " one of the " +
               std::to_string(c.policy.chip_ids.size()) + " in chip_ids " + hex_list(c.policy.chip_ids) + why);
}

void report_data(Context& c) {
  equals(c, "policy.report_data", "REPORT_DATA", "report_data", c.report.report_data(),
         c.policy.report_data);
}

void product(Context& c) {
  if (c.policy.products.empty()) return;
  std::string allowed;
  for (auto p : c.policy.products) allowed += (allowed.empty() ? "" : ", ") + std::string(snp::to_string(p));
  if (!c.product) return c.fail("policy.product", "the product is unknown; products [" + allowed + "]");
  const bool ok = std::ranges::find(c.policy.products, *c.product) != c.policy.products.end();
  c.result(ok, "policy.product",
           "product " + std::string(snp::to_string(*c.product)) + (ok ? " is" : " is not") +
               " one of products [" + allowed + "]");
}

void signing_key(Context& c) {
  if (c.policy.signing_keys.empty()) return;
  std::string allowed;
  for (auto k : c.policy.signing_keys) allowed += (allowed.empty() ? "" : ", ") + std::string(snp::to_string(k));
  auto key = c.report.key_info().signing_key();
  const bool ok = key && std::ranges::find(c.policy.signing_keys, *key) != c.policy.signing_keys.end();
  c.result(ok, "policy.signing_key",
           "KEY_INFO.SIGNING_KEY " +
               (key ? std::string(snp::to_string(*key)) : "reserved value " + std::to_string(c.report.key_info().signing_key_field())) +
               (ok ? " is" : " is not") + " one of signing_keys [" + allowed + "]");
}

std::string hex64(std::uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void mit_vector(Context& c, const char* id, const char* field, const char* key,
                std::optional<std::uint64_t> have, const std::optional<std::uint64_t>& want) {
  if (!want) return;
  if (!have) {
    return c.fail(id, "report version " + std::to_string(c.report.version()) + " has no " + field +
                          " (report v5, firmware ABI 1.58, adds it); " + key + " requires bits " + hex64(*want));
  }
  const std::uint64_t missing = *want & ~*have;
  c.result(missing == 0, id,
           std::string(field) + " " + hex64(*have) + (missing == 0 ? " has" : " lacks") +
               " every bit of " + key + " " + hex64(*want) +
               (missing ? " (missing " + hex64(missing) + ")" : ""));
}

void launch_mit_vector(Context& c) {
  mit_vector(c, "policy.launch_mit_vector", "LAUNCH_MIT_VECTOR", "min_launch_mit_vector",
             c.report.launch_mit_vector(), c.policy.min_launch_mit_vector);
}
void current_mit_vector(Context& c) {
  mit_vector(c, "policy.current_mit_vector", "CURRENT_MIT_VECTOR", "min_current_mit_vector",
             c.report.current_mit_vector(), c.policy.min_current_mit_vector);
}

void required_bits(Context& c, const char* id, const char* field, const char* key,
                   std::uint64_t raw, const std::vector<RequiredBit>& bits) {
  if (bits.empty()) return;
  std::string values, missing;
  for (const auto& b : bits) {
    const bool set = (raw >> b.bit) & 1U;
    values += (values.empty() ? "" : ", ") + b.name + " (bit " + std::to_string(b.bit) + ") " + std::to_string(set);
    if (!set) missing += (missing.empty() ? "" : ", ") + b.name;
  }
  std::string detail = std::string(field) + " " + hex64(raw) + ": " + values + "; " + key +
                       (missing.empty() ? " all set" : " requires " + missing);
  // PAGE_SWAP_DISABLE exists from firmware 1.58 (report v5) on: older guests cannot set it.
  if (!missing.empty() && std::string_view(field) == "POLICY" && c.report.version() < 5 &&
      missing.find("PAGE_SWAP_DISABLE") != std::string::npos) {
    detail += " (PAGE_SWAP_DISABLE needs firmware ABI 1.58, report v5; this is a v" +
              std::to_string(c.report.version()) + " report)";
  }
  c.result(missing.empty(), id, detail);
}

void policy_bits(Context& c) {
  required_bits(c, "policy.policy_bits", "POLICY", "required_policy_bits",
                c.report.policy().raw(), c.policy.required_policy_bits);
}
void platform_bits(Context& c) {
  required_bits(c, "policy.platform_bits", "PLATFORM_INFO", "required_platform_bits",
                c.report.platform_info().raw(), c.policy.required_platform_bits);
}

// Adding a rule is adding one function and one line here.
constexpr void (*kRules[])(Context&) = {
    debug,         migrate_ma,        smt,          single_socket,   abi,
    min_tcb,       min_launch_tcb,    guest_svn,    build,           version,
    vmpl,          measurement,       host_data,    family_id,       image_id,
    id_key_digest, author_key_digest, report_id,    report_id_ma,    chip_id,
    report_data,   product,           signing_key,  launch_mit_vector, current_mit_vector,
    policy_bits,   platform_bits,
};

}  // namespace

Appraisal appraise(const snp::Report& report, std::optional<snp::Product> product,
                   const AppraisalPolicy& policy) {
  Appraisal out;
  out.checks.checks.reserve(std::size(kRules));
  Context c{report, product, policy, out};
  for (auto rule : kRules) rule(c);
  return out;
}

}  // namespace veritee::verify
