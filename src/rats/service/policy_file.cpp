// Appraisal policy TOML (docs/policy.md): every key known, every value checked for type, range
// and size, every error naming the file and line.
#include "veritee/rats/policy_file.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>

#include <toml++/toml.h>

#include "veritee/common/digest.hpp"
#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/platform_info.hpp"
#include "veritee/tdx/collateral.hpp"
#include "veritee/verify/policy_values.hpp"

namespace veritee::rats {

using verify::RequiredBit;
using verify::TcbMinimum;
using verify::TcbRule;
using verify::CrlRule;

namespace {

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  // Records the first problem ("policy.toml:12: ..."); the reading goes on with a neutral
  // value and parse_policy reports the first problem after the key.
  void error(const toml::source_region& where, const std::string& what) const {
    if (!first_error_) first_error_ = source_ + ":" + std::to_string(where.begin.line) + ": " + what;
  }
  const std::optional<std::string>& first_error() const { return first_error_; }

  bool boolean(const toml::node& n, const std::string& key) const {
    if (!n.is_boolean()) return error(n.source(), key + ": expected true or false, got " + type(n)), false;
    return n.as_boolean()->get();
  }

  std::int64_t integer(const toml::node& n, const std::string& key, std::int64_t lo,
                       std::int64_t hi) const {
    if (!n.is_integer()) return error(n.source(), key + ": expected an integer, got " + type(n)), lo;
    std::int64_t v = n.as_integer()->get();
    if (v < lo || v > hi) {
      error(n.source(), key + ": " + std::to_string(v) + " is outside " + std::to_string(lo) +
                            ".." + std::to_string(hi));
      return lo;
    }
    return v;
  }

  std::uint8_t u8(const toml::node& n, const std::string& key) const {
    return static_cast<std::uint8_t>(integer(n, key, 0, 255));
  }

  std::string string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) return error(n.source(), key + ": expected a string, got " + type(n)), std::string();
    return n.as_string()->get();
  }

  // Hex of one of the allowed sizes.
  Bytes hex(const toml::node& n, const std::string& key, std::initializer_list<std::size_t> sizes) const {
    auto text = string(n, key);
    auto bytes = from_hex(text);
    if (!bytes) return error(n.source(), key + ": not hex: " + bytes.error().message), Bytes();
    if (std::find(sizes.begin(), sizes.end(), bytes->size()) == sizes.end()) {
      std::string want;
      for (std::size_t s : sizes) want += (want.empty() ? "" : " or ") + std::to_string(s);
      error(n.source(), key + ": expected " + want + " bytes of hex, got " +
                            std::to_string(bytes->size()));
      return {};
    }
    return *bytes;
  }

  const toml::array& array(const toml::node& n, const std::string& key) const {
    static const toml::array kNone;
    if (!n.is_array()) return error(n.source(), key + ": expected an array, got " + type(n)), kNone;
    return *n.as_array();
  }

  std::vector<Bytes> hex_list(const toml::node& n, const std::string& key,
                              std::initializer_list<std::size_t> sizes) const {
    std::vector<Bytes> out;
    const auto& arr = array(n, key);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      out.push_back(hex(arr[i], key + "[" + std::to_string(i) + "]", sizes));
    }
    if (out.empty()) error(n.source(), key + ": an empty list would allow nothing; remove the key");
    return out;
  }

  std::vector<std::string> string_list(const toml::node& n, const std::string& key) const {
    std::vector<std::string> out;
    const auto& arr = array(n, key);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      out.push_back(string(arr[i], key + "[" + std::to_string(i) + "]"));
    }
    if (out.empty()) error(n.source(), key + ": an empty list would allow nothing; remove the key");
    return out;
  }

  static std::string type(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::table: return "a table";
      case toml::node_type::array: return "an array";
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a float";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::date:
      case toml::node_type::time:
      case toml::node_type::date_time: return "a date/time";
      default: return "nothing";
    }
  }

 private:
  std::string source_;
  mutable std::optional<std::string> first_error_;
};

// "1.51" (or "1.55.21" when builds are allowed).
std::vector<std::uint8_t> dotted(const Reader& r, const toml::node& n, const std::string& key,
                                 std::size_t min_parts, std::size_t max_parts) {
  std::string text = r.string(n, key);
  std::vector<std::uint8_t> parts;
  std::size_t pos = 0;
  while (true) {
    std::size_t dot = text.find('.', pos);
    std::string_view part = std::string_view(text).substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || value > 255) {
      r.error(n.source(), key + ": '" + text + "' is not a version like \"1.55\"");
    }
    parts.push_back(static_cast<std::uint8_t>(value));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  if (parts.size() < min_parts || parts.size() > max_parts) {
    r.error(n.source(), key + ": '" + text + "' must have " + std::to_string(min_parts) +
                            (max_parts > min_parts ? " or " + std::to_string(max_parts) : "") +
                            " dot-separated numbers");
    parts.resize(max_parts);  // the error is recorded; callers may index every part
  }
  return parts;
}

TcbMinimum tcb_minimum(const Reader& r, const toml::table& t, const std::string& prefix,
                       bool allow_products, TcbRule* rule) {
  TcbMinimum m;
  for (auto&& [k, v] : t) {
    const std::string key = prefix + "." + std::string(k.str());
    const std::string_view name = k.str();
    if (name == "bl") m.bl = r.u8(v, key);
    else if (name == "tee") m.tee = r.u8(v, key);
    else if (name == "snp") m.snp = r.u8(v, key);
    else if (name == "ucode") m.ucode = r.u8(v, key);
    else if (name == "fmc") m.fmc = r.u8(v, key);
    else if (allow_products && (name == "milan" || name == "genoa" || name == "turin")) {
      if (!v.is_table()) {
        r.error(v.source(), key + ": expected a table, got " + Reader::type(v));
        continue;
      }
      auto product = snp::parse_product(name);
      rule->per_product[*product] = tcb_minimum(r, *v.as_table(), key, false, nullptr);
    } else {
      r.error(k.source(), "unknown key '" + key + "' (expected bl, tee, snp, ucode, fmc" +
                              std::string(allow_products ? ", or a [" + prefix + ".milan|genoa|turin] table" : "") + ")");
    }
  }
  return m;
}

TcbRule tcb_rule(const Reader& r, const toml::node& n, const std::string& key) {
  if (!n.is_table()) return r.error(n.source(), key + ": expected a table, got " + Reader::type(n)), TcbRule{};
  TcbRule rule;
  rule.all = tcb_minimum(r, *n.as_table(), key, true, &rule);
  return rule;
}

std::vector<RequiredBit> bit_names(const Reader& r, const toml::node& n, const std::string& key,
                                   std::span<const snp::NamedBit> table) {
  std::vector<RequiredBit> out;
  const auto& arr = r.array(n, key);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto bit = verify::named_bit(table, r.string(arr[i], key + "[" + std::to_string(i) + "]"));
    if (!bit) {
      r.error(arr[i].source(), key + ": " + bit.error().message);
      continue;
    }
    out.push_back(std::move(*bit));
  }
  return out;
}

// [tdx] or [sgx] (docs/dcap.md "Appraisal").
verify::DcapPolicy dcap_table(const Reader& r, const toml::node& n, const std::string& key, bool tdx) {
  verify::DcapPolicy d;
  if (!n.is_table()) return r.error(n.source(), key + ": expected a table, got " + Reader::type(n)), d;
  for (const auto& [name_view, v] : *n.as_table()) {
    const std::string name(name_view.str());
    const std::string k = key + "." + name;
    if (name == "accept_tcb_status") {
      d.accept_tcb_status = r.string_list(v, k);
      for (const auto& s : d.accept_tcb_status) {
        if (!tdx::parse_tcb_status(s)) r.error(v.source(), k + ": '" + s + "' is not an Intel TCB status");
      }
    } else if (name == "allow_advisories") {
      const auto& arr = r.array(v, k);
      std::vector<std::string> ids;
      for (std::size_t i = 0; i < arr.size(); ++i) ids.push_back(r.string(arr[i], k + "[" + std::to_string(i) + "]"));
      d.allow_advisories = std::move(ids);  // empty: no advisory tolerated
    } else if (tdx && name == "mr_td") {
      d.mr_td = r.hex_list(v, k, {48});
    } else if (tdx && name.size() == 5 && name.starts_with("rtmr") && name[4] >= '0' && name[4] <= '3') {
      d.rtmr[static_cast<std::size_t>(name[4] - '0')] = r.hex_list(v, k, {48});
    } else if (tdx && name == "mr_seam") {
      d.mr_seam = r.hex_list(v, k, {48});
    } else if (tdx && name == "td_attributes") {
      d.td_attributes = r.hex(v, k, {8});
    } else if (tdx && name == "xfam") {
      d.xfam = r.hex(v, k, {8});
    } else if (!tdx && name == "mr_enclave") {
      d.mr_enclave = r.hex_list(v, k, {32});
    } else if (!tdx && name == "mr_signer") {
      d.mr_signer = r.hex_list(v, k, {32});
    } else if (!tdx && name == "isv_prod_id") {
      d.isv_prod_id = static_cast<std::uint16_t>(r.integer(v, k, 0, 0xFFFF));
    } else if (!tdx && name == "min_isv_svn") {
      d.min_isv_svn = static_cast<std::uint16_t>(r.integer(v, k, 0, 0xFFFF));
    } else {
      r.error(v.source(), k + ": unknown key (docs/dcap.md lists the keys of [" + key + "])");
    }
  }
  return d;
}

using KeyHandler = std::function<void(AppraisalPolicy&, const Reader&, const toml::node&, const std::string&)>;

const std::vector<std::pair<std::string_view, KeyHandler>>& handlers() {
  static const std::vector<std::pair<std::string_view, KeyHandler>> kHandlers = {
      {"id", [](auto& p, auto& r, auto& n, auto& k) { p.id = r.string(n, k); }},
      {"tdx", [](auto& p, auto& r, auto& n, auto& k) { p.tdx = dcap_table(r, n, k, true); }},
      {"sgx", [](auto& p, auto& r, auto& n, auto& k) { p.sgx = dcap_table(r, n, k, false); }},
      {"require_nonce", [](auto& p, auto& r, auto& n, auto& k) { p.require_nonce = r.boolean(n, k); }},
      {"require_crl", [](auto& p, auto& r, auto& n, auto& k) {
         p.require_crl = r.boolean(n, k);
         if (p.require_crl) p.crl = CrlRule::kRequire;
       }},
      {"crl", [](auto& p, auto& r, auto& n, auto& k) {
         const std::string v = r.string(n, k);
         if (v == "require") p.crl = CrlRule::kRequire, p.require_crl = true;
         else if (v == "prefer") p.crl = CrlRule::kPrefer;
         else if (v == "skip") p.crl = CrlRule::kSkip;
         else if (n.is_string()) r.error(n.source(), k + ": expected \"require\", \"prefer\" or \"skip\", got \"" + v + "\"");
       }},
      {"allow_debug", [](auto& p, auto& r, auto& n, auto& k) { p.allow_debug = r.boolean(n, k); }},
      {"allow_migrate_ma", [](auto& p, auto& r, auto& n, auto& k) { p.allow_migrate_ma = r.boolean(n, k); }},
      {"require_single_socket", [](auto& p, auto& r, auto& n, auto& k) { p.require_single_socket = r.boolean(n, k); }},
      {"allow_smt", [](auto& p, auto& r, auto& n, auto& k) { p.allow_smt = r.boolean(n, k); }},
      {"min_abi", [](auto& p, auto& r, auto& n, auto& k) {
         auto v = dotted(r, n, k, 2, 2);
         p.min_abi = std::pair(v[0], v[1]);
       }},
      {"min_tcb", [](auto& p, auto& r, auto& n, auto& k) { p.min_tcb = tcb_rule(r, n, k); }},
      {"min_launch_tcb", [](auto& p, auto& r, auto& n, auto& k) { p.min_launch_tcb = tcb_rule(r, n, k); }},
      {"min_guest_svn", [](auto& p, auto& r, auto& n, auto& k) {
         p.min_guest_svn = static_cast<std::uint32_t>(r.integer(n, k, 0, std::numeric_limits<std::uint32_t>::max()));
       }},
      {"min_build", [](auto& p, auto& r, auto& n, auto& k) { p.min_build = r.u8(n, k); }},
      {"min_version", [](auto& p, auto& r, auto& n, auto& k) {
         auto v = dotted(r, n, k, 2, 3);
         p.min_version = snp::FirmwareVersion{v[0], v[1], v.size() == 3 ? v[2] : std::uint8_t{0}};
         p.min_version_has_build = v.size() == 3;
       }},
      {"vmpl", [](auto& p, auto& r, auto& n, auto& k) {
         p.vmpl.clear();
         if (n.is_array()) {
           const auto& arr = *n.as_array();
           for (std::size_t i = 0; i < arr.size(); ++i) {
             p.vmpl.push_back(static_cast<std::uint32_t>(r.integer(arr[i], k + "[" + std::to_string(i) + "]", 0, 3)));
           }
           if (p.vmpl.empty()) r.error(n.source(), k + ": an empty list would allow nothing; remove the key");
         } else {
           p.vmpl.push_back(static_cast<std::uint32_t>(r.integer(n, k, 0, 3)));
         }
       }},
      {"measurements", [](auto& p, auto& r, auto& n, auto& k) { p.measurements = r.hex_list(n, k, {48}); }},
      {"host_data", [](auto& p, auto& r, auto& n, auto& k) { p.host_data = r.hex(n, k, {32}); }},
      {"family_id", [](auto& p, auto& r, auto& n, auto& k) { p.family_id = r.hex(n, k, {16}); }},
      {"image_id", [](auto& p, auto& r, auto& n, auto& k) { p.image_id = r.hex(n, k, {16}); }},
      {"id_key_digests", [](auto& p, auto& r, auto& n, auto& k) { p.id_key_digests = r.hex_list(n, k, {48}); }},
      {"author_key_digests", [](auto& p, auto& r, auto& n, auto& k) { p.author_key_digests = r.hex_list(n, k, {48}); }},
      {"report_id", [](auto& p, auto& r, auto& n, auto& k) { p.report_id = r.hex(n, k, {32}); }},
      {"report_id_ma", [](auto& p, auto& r, auto& n, auto& k) { p.report_id_ma = r.hex(n, k, {32}); }},
      {"chip_ids", [](auto& p, auto& r, auto& n, auto& k) { p.chip_ids = r.hex_list(n, k, {64, 8}); }},
      {"report_data", [](auto& p, auto& r, auto& n, auto& k) { p.report_data = r.hex(n, k, {64}); }},
      {"products", [](auto& p, auto& r, auto& n, auto& k) {
         p.products.clear();
         const auto& arr = r.array(n, k);
         for (auto name : r.string_list(n, k)) {
           auto product = snp::parse_product(name);
           if (!product) {
             r.error(arr.source(), k + ": unknown product '" + name + "' (milan, genoa, turin)");
             continue;
           }
           p.products.push_back(*product);
         }
       }},
      {"signing_keys", [](auto& p, auto& r, auto& n, auto& k) {
         p.signing_keys.clear();
         for (auto name : r.string_list(n, k)) {
           std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
           if (name == "VCEK") p.signing_keys.push_back(snp::SigningKey::kVcek);
           else if (name == "VLEK") p.signing_keys.push_back(snp::SigningKey::kVlek);
           else r.error(n.source(), k + ": unknown signing key '" + name + "' (VCEK, VLEK)");
         }
       }},
      {"min_launch_mit_vector", [](auto& p, auto& r, auto& n, auto& k) {
         p.min_launch_mit_vector = static_cast<std::uint64_t>(r.integer(n, k, 0, std::numeric_limits<std::int64_t>::max()));
       }},
      {"min_current_mit_vector", [](auto& p, auto& r, auto& n, auto& k) {
         p.min_current_mit_vector = static_cast<std::uint64_t>(r.integer(n, k, 0, std::numeric_limits<std::int64_t>::max()));
       }},
      {"required_policy_bits", [](auto& p, auto& r, auto& n, auto& k) {
         p.required_policy_bits = bit_names(r, n, k, snp::GuestPolicy::bits());
       }},
      {"required_platform_bits", [](auto& p, auto& r, auto& n, auto& k) {
         p.required_platform_bits = bit_names(r, n, k, snp::PlatformInfo::bits());
       }},
  };
  return kHandlers;
}

}  // namespace

Result<AppraisalPolicy> parse_policy(std::string_view toml_text, std::string_view source) {
  AppraisalPolicy policy;
  policy.source = std::string(source);
  auto digest = sha256(as_bytes(toml_text));
  if (!digest) return std::unexpected(digest.error());
  policy.id = "sha256:" + to_hex(*digest);
  Reader reader(source);
  try {
    toml::table root = toml::parse(toml_text, source);
    for (auto&& [k, v] : root) {
      const std::string key(k.str());
      const auto& table = handlers();
      auto it = std::find_if(table.begin(), table.end(), [&](const auto& h) { return h.first == key; });
      if (it == table.end()) {
        reader.error(k.source(), "unknown key '" + key + "' (docs/policy.md lists every key)");
      } else {
        it->second(policy, reader, v, key);
      }
      if (it != table.end() && key == "require_nonce") {
        policy.service_keys.push_back(key + " (line " + std::to_string(k.source().begin.line) + ")");
      }
      if (reader.first_error()) return fail(Errc::kInvalidInput, *reader.first_error());
    }
  } catch (const toml::parse_error& e) {
    return fail(Errc::kInvalidInput, std::string(source) + ":" +
                                         std::to_string(e.source().begin.line) + ": " +
                                         std::string(e.description()));
  }
  if (policy.id.empty()) return fail(Errc::kInvalidInput, std::string(source) + ": id is empty");
  return policy;
}

Result<AppraisalPolicy> load_policy_file(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  return parse_policy(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()),
                      path.string());
}

}  // namespace veritee::rats
