// One ordered list of sections and fields feeds both renderings, so text and JSON never differ
// in what they show.
#include "veritee/tdx/quote_format.hpp"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <utility>
#include <vector>

#include "veritee/x509/certificate.hpp"
#include "tdx/text.hpp"

namespace veritee::tdx {
namespace {

using nlohmann::json;

struct Section {
  std::string key;  // JSON member
  std::vector<std::pair<std::string, json>> fields;
  void add(std::string name, json value) { fields.emplace_back(std::move(name), std::move(value)); }
};

using detail::hex32;

void enclave_fields(Section& s, const EnclaveReport& e) {
  s.add("cpu_svn", to_hex(e.cpu_svn));
  s.add("misc_select", hex32(e.misc_select));
  s.add("isv_ext_prod_id", to_hex(e.isv_ext_prod_id));
  s.add("attributes", to_hex(e.attributes));
  s.add("debug", e.debug());
  s.add("mr_enclave", to_hex(e.mr_enclave));
  s.add("mr_signer", to_hex(e.mr_signer));
  s.add("config_id", to_hex(e.config_id));
  s.add("isv_prod_id", e.isv_prod_id);
  s.add("isv_svn", e.isv_svn);
  s.add("config_svn", e.config_svn);
  s.add("isv_family_id", to_hex(e.isv_family_id));
  s.add("report_data", to_hex(e.report_data));
}

std::vector<Section> sections(const Quote& q) {
  std::vector<Section> out;
  Section h{"header", {}};
  const QuoteHeader& hd = q.header();
  h.add("version", hd.version);
  h.add("attestation_key_type", hd.attestation_key_type);
  h.add("tee_type", hex32(hd.tee_type));
  h.add("tee", std::string(to_string(q.tee())));
  h.add("qe_svn", hd.qe_svn);
  h.add("pce_svn", hd.pce_svn);
  h.add("qe_vendor_id", to_hex(hd.qe_vendor_id));
  h.add("user_data", to_hex(hd.user_data));
  out.push_back(std::move(h));

  Section b{"body", {}};
  b.add("kind", std::string(to_string(q.body_kind())));
  if (q.body_type()) b.add("body_type", *q.body_type());
  if (const auto& e = q.enclave_body()) {
    enclave_fields(b, *e);
  } else {
    const TdReport& t = *q.td_body();
    b.add("tee_tcb_svn", to_hex(t.tee_tcb_svn));
    b.add("mr_seam", to_hex(t.mr_seam));
    b.add("mr_signer_seam", to_hex(t.mr_signer_seam));
    b.add("seam_attributes", to_hex(t.seam_attributes));
    b.add("td_attributes", to_hex(t.td_attributes));
    b.add("debug", t.debug());
    b.add("xfam", to_hex(t.xfam));
    b.add("mr_td", to_hex(t.mr_td));
    b.add("mr_config_id", to_hex(t.mr_config_id));
    b.add("mr_owner", to_hex(t.mr_owner));
    b.add("mr_owner_config", to_hex(t.mr_owner_config));
    for (std::size_t i = 0; i < t.rtmr.size(); ++i) b.add("rtmr" + std::to_string(i), to_hex(t.rtmr[i]));
    b.add("report_data", to_hex(t.report_data));
    if (t.tee_tcb_svn2) b.add("tee_tcb_svn2", to_hex(*t.tee_tcb_svn2));
    if (t.mr_servicetd) b.add("mr_servicetd", to_hex(*t.mr_servicetd));
  }
  out.push_back(std::move(b));

  Section s{"signature_data", {}};
  s.add("size", q.signature_data_size());
  s.add("signature", to_hex(q.signature()));
  s.add("attestation_key", to_hex(q.attestation_key()));
  if (auto outer = q.outer_certification()) {
    s.add("certification_data_type", outer->type);
    s.add("certification_data_size", outer->data.size());
  }
  s.add("qe_report_signature", to_hex(q.qe_report_signature()));
  s.add("qe_auth_data", to_hex(q.qe_auth_data()));
  s.add("pck_certification_data_type", q.certification().type);
  s.add("pck_certification_data_size", q.certification().data.size());
  out.push_back(std::move(s));

  Section r{"qe_report", {}};
  enclave_fields(r, q.qe_report());
  out.push_back(std::move(r));
  return out;
}

json certificates(const Quote& q) {
  json out = json::array();
  auto certs = x509::Certificate::load_all(q.certification().data);
  if (!certs) return out;
  for (const auto& c : *certs) {
    out.push_back({{"subject", c.subject_cn()},
                   {"issuer", c.issuer_cn()},
                   {"serial", c.serial_hex()},
                   {"not_before", veritee::format_time(c.not_before())},
                   {"not_after", veritee::format_time(c.not_after())},
                   {"sha256", c.sha256_hex()}});
  }
  return out;
}

std::string text_value(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

json quote_to_json(const Quote& q) {
  json j{{"family", "dcap"},
         {"size", q.size()},
         {"trailing_bytes", q.trailing()},
         {"trailing_zero", q.trailing_is_zero()}};
  for (const Section& s : sections(q)) {
    json obj = json::object();
    for (const auto& [name, value] : s.fields) obj[name] = value;
    j[s.key] = obj;
  }
  j["pck_certificates"] = certificates(q);
  j["raw"] = to_hex(q.quote_bytes());
  return j;
}

std::string quote_to_text(const Quote& q) {
  std::ostringstream o;
  o << "DCAP quote version " << q.header().version << ", " << to_string(q.tee()) << ", "
    << q.size() << " bytes";
  if (q.trailing() > 0) o << ", " << q.trailing_note();
  o << '\n';
  for (const Section& s : sections(q)) {
    o << s.key << ":\n";
    for (const auto& [name, value] : s.fields) {
      std::string upper = name;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      o << "  " << upper;
      for (std::size_t i = upper.size(); i < 28; ++i) o << ' ';
      o << text_value(value) << '\n';
    }
  }
  o << "pck_certificates:\n";
  for (const auto& c : certificates(q)) {
    o << "  " << c["subject"].get<std::string>() << " (issuer " << c["issuer"].get<std::string>()
      << ", serial " << c["serial"].get<std::string>() << ", " << c["not_before"].get<std::string>()
      << " to " << c["not_after"].get<std::string>() << ")\n";
  }
  return o.str();
}

}  // namespace veritee::tdx
