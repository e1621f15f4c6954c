// Checks a guest runs on the evidence it just obtained (evidence_checks.hpp).
#include "veritee/guest/evidence_checks.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/hcl_report.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::guest {
namespace {

Check pass(std::string id, std::string detail) {
  return Check{std::move(id), CheckStatus::kPass, CheckSubject::kEvidence, std::move(detail)};
}
Check failed(std::string id, std::string detail) {
  return Check{std::move(id), CheckStatus::kFail, CheckSubject::kEvidence, std::move(detail)};
}
Check skipped(std::string id, std::string detail) {
  return Check{std::move(id), CheckStatus::kSkip, CheckSubject::kEvidence, std::move(detail)};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void check_hcl(const GuestEvidence& ev, const EvidenceRequest& request, CheckList& out) {
  if (!ev.hcl_blob) {
    out.add(failed("guest.hcl.bound", "the azure provider returned no HCL blob"));
    return;
  }
  auto hcl = snp::parse_hcl_report(*ev.hcl_blob);
  if (!hcl) {
    out.add(failed("guest.hcl.bound", hcl.error().message));
    return;
  }
  auto bound = hcl->runtime_claims_bound();
  if (!bound)
    out.add(failed("guest.hcl.bound", bound.error().message));
  else if (*bound)
    out.add(pass("guest.hcl.bound", "REPORT_DATA starts with the hash (hash_type " +
                                        std::to_string(hcl->hash_type) +
                                        ") of the runtime claims"));
  else
    out.add(failed("guest.hcl.bound", "REPORT_DATA does not hold the hash (hash_type " +
                                          std::to_string(hcl->hash_type) +
                                          ") of the runtime claims"));

  const std::string wanted = to_hex(request.report_data);
  auto claims = nlohmann::json::parse(hcl->runtime_claims.begin(), hcl->runtime_claims.end(),
                                      nullptr, /*allow_exceptions=*/false);
  if (claims.is_discarded() || !claims.is_object()) {
    out.add(failed("guest.hcl.user_data", "the runtime claims are not a JSON object"));
  } else if (!claims.contains("user-data") || !claims["user-data"].is_string()) {
    out.add(failed("guest.hcl.user_data", "the runtime claims have no \"user-data\" string"));
  } else if (std::string got = lower(claims["user-data"].get<std::string>()); got != wanted) {
    out.add(failed("guest.hcl.user_data",
                   "runtime claims user-data is " + got + ", the request wrote " + wanted));
  } else {
    out.add(pass("guest.hcl.user_data",
                 "runtime claims user-data equals the 64 bytes written "
                 "to NV 0x01400002"));
  }
}

}  // namespace

CheckList check_evidence(const GuestEvidence& ev, const EvidenceRequest& request) {
  CheckList out;
  auto report = snp::Report::parse(ev.report);
  if (!report) {
    out.add(failed("guest.report.size", report.error().message));
    return out;
  }
  out.add(pass("guest.report.size", "the " + std::string(to_string(ev.provider)) +
                                        " provider returned one 0x4A0-byte "
                                        "report, version " +
                                        std::to_string(report->version())));
  const bool azure = ev.provider == ProviderKind::kAzure;
  const std::string wanted = to_hex(request.report_data);
  if (azure) {
    out.add(skipped("guest.report_data",
                    "Azure: REPORT_DATA holds the runtime-claims hash; "
                    "the user data is checked in the claims"));
    out.add(skipped("guest.vmpl", "Azure: the paravisor chooses the VMPL (report says " +
                                      std::to_string(report->vmpl()) + ")"));
    check_hcl(ev, request, out);
  } else {
    const std::string got = to_hex(report->report_data());
    if (got == wanted)
      out.add(pass("guest.report_data", "REPORT_DATA equals the requested " + got));
    else
      out.add(failed("guest.report_data", "REPORT_DATA is " + got + ", requested " + wanted));
    const std::uint32_t vmpl = request.vmpl.value_or(0);
    if (report->vmpl() == vmpl) {
      out.add(pass("guest.vmpl", "VMPL " + std::to_string(vmpl) + " as requested"));
    } else {
      out.add(failed("guest.vmpl", "VMPL is " + std::to_string(report->vmpl()) + ", requested " +
                                       std::to_string(vmpl)));
    }
  }
  if (!ev.cert_table) {
    out.add(skipped("guest.cert_table", "no certificate table from the host"));
  } else if (auto entries = snp::parse_cert_table(*ev.cert_table); !entries) {
    out.add(failed("guest.cert_table", entries.error().message));
  } else {
    std::string roles;
    for (const auto& e : *entries) roles += (roles.empty() ? "" : ", ") + e.role;
    out.add(pass("guest.cert_table", std::to_string(entries->size()) + " entries: " + roles));
  }
  return out;
}

}  // namespace veritee::guest
