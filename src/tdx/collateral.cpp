// The collateral JSON and the two signed documents in it, read with nlohmann-json (no
// exceptions: every member is looked up and type-checked before use).
#include "veritee/tdx/collateral.hpp"

#include <algorithm>
#include <set>
#include <system_error>

#include <nlohmann/json.hpp>

#include "tdx/try.hpp"

namespace veritee::tdx {
namespace {

using nlohmann::json;

constexpr std::uintmax_t kMaxCollateralFile = 4u << 20;

// Typed member access that reports what is wrong, prefixed by where (e.g. "tcbInfo").
class Obj {
 public:
  Obj(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

  const json* member(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  std::unexpected<Error> bad(const std::string& what) const {
    return fail(Errc::kEndorsementInvalid, where_ + ": " + what);
  }
  Result<std::string> string(const char* key) const {
    const json* m = member(key);
    if (!m) return bad(std::string("no member '") + key + "'");
    if (!m->is_string()) return bad(std::string("'") + key + "' is not a string");
    return m->get_ref<const std::string&>();
  }
  Result<std::int64_t> integer(const char* key, std::int64_t min, std::int64_t max) const {
    const json* m = member(key);
    if (!m) return bad(std::string("no member '") + key + "'");
    if (!m->is_number_integer()) return bad(std::string("'") + key + "' is not an integer");
    std::int64_t v = m->is_number_unsigned()
                         ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                               m->get<std::uint64_t>(), static_cast<std::uint64_t>(max) + 1))
                         : m->get<std::int64_t>();
    if (v < min || v > max) {
      return bad(std::string("'") + key + "' is " + std::to_string(v) + ", outside " +
                 std::to_string(min) + ".." + std::to_string(max));
    }
    return v;
  }
  Result<Bytes> hex(const char* key, std::size_t size) const {
    auto s = string(key);
    if (!s) return std::unexpected(s.error());
    auto b = from_hex(*s);
    if (!b) return bad(std::string("'") + key + "' is not hex: " + b.error().message);
    if (b->size() != size) {
      return bad(std::string("'") + key + "' has " + std::to_string(b->size()) + " bytes, not " +
                 std::to_string(size));
    }
    return b;
  }
  Result<veritee::TimePoint> time(const char* key) const {
    auto s = string(key);
    if (!s) return std::unexpected(s.error());
    auto t = veritee::parse_time(*s);
    if (!t) return bad(std::string("'") + key + "': " + t.error().message);
    return t;
  }
  Result<const json*> array(const char* key) const {
    const json* m = member(key);
    if (!m) return bad(std::string("no member '") + key + "'");
    if (!m->is_array()) return bad(std::string("'") + key + "' is not an array");
    return m;
  }
  const std::string& where() const { return where_; }

 private:
  const json& j_;
  std::string where_;
};

Result<json> parse_object(std::string_view text, const char* what) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return fail(Errc::kEndorsementInvalid, std::string(what) + " is not JSON");
  if (!j.is_object()) {
    return fail(Errc::kEndorsementInvalid, std::string(what) + " is not a JSON object");
  }
  return j;
}

Result<std::vector<std::string>> advisories(const Obj& o) {
  std::vector<std::string> out;
  const json* m = o.member("advisoryIDs");
  if (!m) return out;
  if (!m->is_array()) return o.bad("'advisoryIDs' is not an array");
  for (const json& a : *m) {
    if (!a.is_string()) return o.bad("'advisoryIDs' holds a non-string");
    out.push_back(a.get<std::string>());
  }
  return out;
}

// tcbLevels of either document: each an object with a 'tcb' object (read by `read_tcb`),
// tcbDate, tcbStatus and optional advisoryIDs.
template <class Level, class ReadTcb>
Result<std::vector<Level>> levels(const Obj& o, ReadTcb read_tcb) {
  VERITEE_TRY(list, o.array("tcbLevels"));
  std::vector<Level> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json& l = (*list)[i];
    std::string where = o.where() + ".tcbLevels[" + std::to_string(i) + "]";
    if (!l.is_object()) return fail(Errc::kEndorsementInvalid, where + " is not an object");
    Obj lo(l, where);
    const json* tcb = lo.member("tcb");
    if (!tcb || !tcb->is_object()) return lo.bad("no 'tcb' object");
    Level level;
    if (auto ok = read_tcb(Obj(*tcb, where + ".tcb"), level); !ok) {
      return std::unexpected(ok.error());
    }
    VERITEE_TRY(date, lo.string("tcbDate"));
    level.tcb_date = date;
    VERITEE_TRY(status_text, lo.string("tcbStatus"));
    auto status = parse_tcb_status(status_text);
    if (!status) return lo.bad(status.error().message);
    level.status = *status;
    VERITEE_TRY(adv, advisories(lo));
    level.advisories = std::move(adv);
    out.push_back(std::move(level));
  }
  return out;
}

Result<std::vector<IsvTcbLevel>> isv_levels(const Obj& o) {
  return levels<IsvTcbLevel>(o, [](const Obj& tcb, IsvTcbLevel& level) -> Result<void> {
    VERITEE_TRY(isvsvn, tcb.integer("isvsvn", 0, 0xFFFF));
    level.isvsvn = static_cast<std::uint16_t>(isvsvn);
    return {};
  });
}

Result<std::array<std::uint8_t, 16>> components(const Obj& tcb, const char* key) {
  VERITEE_TRY(arr, tcb.array(key));
  if (arr->size() != 16) {
    return tcb.bad(std::string("'") + key + "' has " + std::to_string(arr->size()) +
                   " components, not 16");
  }
  std::array<std::uint8_t, 16> out{};
  for (std::size_t i = 0; i < 16; ++i) {
    if (!(*arr)[i].is_object()) return tcb.bad(std::string("'") + key + "' holds a non-object");
    VERITEE_TRY(svn, Obj((*arr)[i], tcb.where() + "." + key + "[" + std::to_string(i) + "]")
                    .integer("svn", 0, 255));
    out[i] = static_cast<std::uint8_t>(svn);
  }
  return out;
}

Result<TdxModuleIdentity> module_identity(const Obj& o, bool with_levels) {
  TdxModuleIdentity m;
  if (with_levels) {
    VERITEE_TRY(id, o.string("id"));
    m.id = id;
  }
  VERITEE_TRY(mrsigner, o.hex("mrsigner", 48));
  VERITEE_TRY(attributes, o.hex("attributes", 8));
  VERITEE_TRY(mask, o.hex("attributesMask", 8));
  m.mrsigner = std::move(mrsigner);
  m.attributes = std::move(attributes);
  m.attributes_mask = std::move(mask);
  if (with_levels) {
    VERITEE_TRY(levels, isv_levels(o));
    m.levels = std::move(levels);
  }
  return m;
}

}  // namespace

Result<Collateral> parse_collateral(std::string_view text) {
  VERITEE_TRY(j, parse_object(text, "collateral"));
  Obj o(j, "collateral");
  static const std::set<std::string> known = {
      "pck_crl_issuer_chain", "root_ca_crl", "pck_crl", "tcb_info_issuer_chain", "tcb_info",
      "tcb_info_signature", "qe_identity_issuer_chain", "qe_identity", "qe_identity_signature",
      // Optional in newer clients; the PCK chain used is always the quote's own.
      "pck_certificate_chain"};
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) return o.bad("unknown member '" + key + "'");
  }
  Collateral c;
  VERITEE_TRY(pck_chain, o.string("pck_crl_issuer_chain"));
  VERITEE_TRY(root_crl, o.string("root_ca_crl"));
  VERITEE_TRY(pck_crl, o.string("pck_crl"));
  VERITEE_TRY(tcb_chain, o.string("tcb_info_issuer_chain"));
  VERITEE_TRY(tcb_info, o.string("tcb_info"));
  VERITEE_TRY(tcb_sig, o.hex("tcb_info_signature", 64));
  VERITEE_TRY(qe_chain, o.string("qe_identity_issuer_chain"));
  VERITEE_TRY(qe_identity, o.string("qe_identity"));
  VERITEE_TRY(qe_sig, o.hex("qe_identity_signature", 64));
  auto root_der = from_hex(root_crl);
  if (!root_der) return o.bad("'root_ca_crl' is not hex: " + root_der.error().message);
  auto pck_der = from_hex(pck_crl);
  if (!pck_der) return o.bad("'pck_crl' is not hex: " + pck_der.error().message);
  c.pck_crl_issuer_chain = std::move(pck_chain);
  c.root_ca_crl = std::move(*root_der);
  c.pck_crl = std::move(*pck_der);
  c.tcb_info_issuer_chain = std::move(tcb_chain);
  c.tcb_info = std::move(tcb_info);
  c.tcb_info_signature = std::move(tcb_sig);
  c.qe_identity_issuer_chain = std::move(qe_chain);
  c.qe_identity = std::move(qe_identity);
  c.qe_identity_signature = std::move(qe_sig);
  return c;
}

Result<Collateral> load_collateral_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(Errc::kIo, path.string() + ": not a regular file");
  }
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxCollateralFile) {
    return fail(Errc::kIo, path.string() + ": larger than the 4 MiB a collateral file may be");
  }
  auto bytes = read_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto c = parse_collateral(
      std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  if (!c) return fail_within(c, path.string());
  return c;
}

std::string_view to_string(TcbStatus status) {
  switch (status) {
    case TcbStatus::kUpToDate: return "UpToDate";
    case TcbStatus::kSWHardeningNeeded: return "SWHardeningNeeded";
    case TcbStatus::kConfigurationNeeded: return "ConfigurationNeeded";
    case TcbStatus::kConfigurationAndSWHardeningNeeded: return "ConfigurationAndSWHardeningNeeded";
    case TcbStatus::kOutOfDate: return "OutOfDate";
    case TcbStatus::kOutOfDateConfigurationNeeded: return "OutOfDateConfigurationNeeded";
    case TcbStatus::kRevoked: return "Revoked";
  }
  return "unknown";
}

Result<TcbStatus> parse_tcb_status(std::string_view text) {
  for (auto s : {TcbStatus::kUpToDate, TcbStatus::kSWHardeningNeeded,
                 TcbStatus::kConfigurationNeeded, TcbStatus::kConfigurationAndSWHardeningNeeded,
                 TcbStatus::kOutOfDate, TcbStatus::kOutOfDateConfigurationNeeded,
                 TcbStatus::kRevoked}) {
    if (to_string(s) == text) return s;
  }
  return fail(Errc::kEndorsementInvalid, "unknown TCB status '" + std::string(text) + "'");
}

TcbStatus merge(TcbStatus a, TcbStatus b) {
  using enum TcbStatus;
  if (a == kRevoked || b == kRevoked) return kRevoked;
  auto out_of_date = [](TcbStatus s) { return s == kOutOfDate || s == kOutOfDateConfigurationNeeded; };
  auto config = [](TcbStatus s) {
    return s == kConfigurationNeeded || s == kConfigurationAndSWHardeningNeeded ||
           s == kOutOfDateConfigurationNeeded;
  };
  auto sw = [](TcbStatus s) {
    return s == kSWHardeningNeeded || s == kConfigurationAndSWHardeningNeeded;
  };
  const bool o = out_of_date(a) || out_of_date(b);
  const bool c = config(a) || config(b);
  const bool h = sw(a) || sw(b);
  if (o) return c ? kOutOfDateConfigurationNeeded : kOutOfDate;
  if (c) return h ? kConfigurationAndSWHardeningNeeded : kConfigurationNeeded;
  return h ? kSWHardeningNeeded : kUpToDate;
}

Result<TcbInfo> parse_tcb_info(std::string_view text) {
  VERITEE_TRY(j, parse_object(text, "tcbInfo"));
  Obj o(j, "tcbInfo");
  TcbInfo t;
  VERITEE_TRY(version, o.integer("version", 0, 1000));
  t.version = static_cast<int>(version);
  if (t.version != 3) {
    return fail(Errc::kUnknownVersion, "tcbInfo version " + std::to_string(version) +
                                           " is not supported (only 3)");
  }
  VERITEE_TRY(id, o.string("id"));
  if (id != "SGX" && id != "TDX") return o.bad("id '" + id + "' is neither SGX nor TDX");
  t.id = id;
  VERITEE_TRY(issue, o.time("issueDate"));
  VERITEE_TRY(next, o.time("nextUpdate"));
  t.issue_date = issue;
  t.next_update = next;
  VERITEE_TRY(fmspc, o.hex("fmspc", 6));
  VERITEE_TRY(pce_id, o.hex("pceId", 2));
  t.fmspc = std::move(fmspc);
  t.pce_id = std::move(pce_id);
  VERITEE_TRY(tcb_type, o.integer("tcbType", 0, 0));
  t.tcb_type = static_cast<int>(tcb_type);
  VERITEE_TRY(eval, o.integer("tcbEvaluationDataNumber", 0, INT32_MAX));
  t.tcb_evaluation_data_number = eval;
  if (const json* m = o.member("tdxModule")) {
    if (!m->is_object()) return o.bad("'tdxModule' is not an object");
    VERITEE_TRY(module, module_identity(Obj(*m, "tcbInfo.tdxModule"), false));
    t.tdx_module = std::move(module);
  }
  if (const json* ids = o.member("tdxModuleIdentities")) {
    if (!ids->is_array()) return o.bad("'tdxModuleIdentities' is not an array");
    for (std::size_t i = 0; i < ids->size(); ++i) {
      if (!(*ids)[i].is_object()) return o.bad("'tdxModuleIdentities' holds a non-object");
      VERITEE_TRY(m, module_identity(
                    Obj((*ids)[i], "tcbInfo.tdxModuleIdentities[" + std::to_string(i) + "]"),
                    true));
      t.tdx_module_identities.push_back(std::move(m));
    }
  }
  const bool tdx = t.id == "TDX";
  if (tdx && !t.tdx_module) return o.bad("a TDX tcbInfo without 'tdxModule'");
  auto tcb_levels = levels<TcbLevel>(o, [tdx](const Obj& tcb, TcbLevel& level) -> Result<void> {
    VERITEE_TRY(sgx, components(tcb, "sgxtcbcomponents"));
    level.sgx_components = sgx;
    VERITEE_TRY(pcesvn, tcb.integer("pcesvn", 0, 0xFFFF));
    level.pcesvn = static_cast<std::uint16_t>(pcesvn);
    if (tdx) {
      VERITEE_TRY(tdx_components, components(tcb, "tdxtcbcomponents"));
      level.tdx_components = tdx_components;
    }
    return {};
  });
  if (!tcb_levels) return std::unexpected(tcb_levels.error());
  t.levels = std::move(*tcb_levels);
  return t;
}

Result<EnclaveIdentity> parse_enclave_identity(std::string_view text) {
  VERITEE_TRY(j, parse_object(text, "enclaveIdentity"));
  Obj o(j, "enclaveIdentity");
  EnclaveIdentity e;
  VERITEE_TRY(version, o.integer("version", 0, 1000));
  e.version = static_cast<int>(version);
  if (e.version != 2) {
    return fail(Errc::kUnknownVersion, "enclaveIdentity version " + std::to_string(version) +
                                           " is not supported (only 2)");
  }
  VERITEE_TRY(id, o.string("id"));
  e.id = id;
  VERITEE_TRY(issue, o.time("issueDate"));
  VERITEE_TRY(next, o.time("nextUpdate"));
  e.issue_date = issue;
  e.next_update = next;
  VERITEE_TRY(eval, o.integer("tcbEvaluationDataNumber", 0, INT32_MAX));
  e.tcb_evaluation_data_number = eval;
  VERITEE_TRY(misc, o.hex("miscselect", 4));
  VERITEE_TRY(misc_mask, o.hex("miscselectMask", 4));
  // MISCSELECT is a 32-bit value written as big-endian hex.
  auto be32 = [](const Bytes& b) {
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
           (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
  };
  e.miscselect = be32(misc);
  e.miscselect_mask = be32(misc_mask);
  VERITEE_TRY(attributes, o.hex("attributes", 16));
  VERITEE_TRY(attributes_mask, o.hex("attributesMask", 16));
  VERITEE_TRY(mrsigner, o.hex("mrsigner", 32));
  e.attributes = std::move(attributes);
  e.attributes_mask = std::move(attributes_mask);
  e.mrsigner = std::move(mrsigner);
  VERITEE_TRY(isvprodid, o.integer("isvprodid", 0, 0xFFFF));
  e.isvprodid = static_cast<std::uint16_t>(isvprodid);
  VERITEE_TRY(levels, isv_levels(o));
  e.levels = std::move(levels);
  return e;
}

}  // namespace veritee::tdx
