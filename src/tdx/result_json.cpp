#include "veritee/tdx/result_json.hpp"

#include <optional>
#include <string>

#include "veritee/tdx/quote_format.hpp"

namespace veritee::tdx {

nlohmann::json quote_input_to_json(const QuoteInput& in) {
  nlohmann::json j = quote_to_json(in.quote);
  j["evidence"] = {{"encoding", in.encoding}};
  return j;
}

namespace {
nlohmann::json status_json(const std::optional<TcbStatus>& s) {
  return s ? nlohmann::json(std::string(to_string(*s))) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json tcb_to_json(const DcapResult& r) {
  return {{"status", status_json(r.status)},
          {"platform_status", status_json(r.platform_status)},
          {"qe_status", status_json(r.qe_status)},
          {"tdx_module_status", status_json(r.tdx_module_status)},
          {"advisories", r.advisories},
          {"fmspc", r.fmspc},
          {"tcb_date", r.tcb_date},
          {"debug", r.debug}};
}

nlohmann::json dcap_result_to_json(const QuoteInput& in, const DcapResult& r, int exit_code) {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : r.checks.checks) {
    checks.push_back({{"id", c.id},
                      {"ok", c.ok()},
                      {"status", std::string(to_string(c.status))},
                      {"subject", c.subject == CheckSubject::kEvidence ? "evidence" : "endorsement"},
                      {"stage", "authenticity"},
                      {"detail", c.detail}});
  }
  return {{"verified", r.verified()},
          {"exit_code", exit_code},
          {"tcb_status", status_json(r.status)},
          {"platform_tcb_status", status_json(r.platform_status)},
          {"qe_tcb_status", status_json(r.qe_status)},
          {"tdx_module_tcb_status", status_json(r.tdx_module_status)},
          {"advisories", r.advisories},
          {"fmspc", r.fmspc},
          {"tcb_date", r.tcb_date},
          {"debug", r.debug},
          {"checks", checks},
          {"quote", quote_input_to_json(in)}};
}

}  // namespace veritee::tdx
