// The DCAP appraisal rules, in the order of docs/dcap.md "Appraisal"; each sentence names the
// quote's value and the policy's. Field names are Intel's (TDX DCAP Quoting Library API, "TD
// Quote Body"; SGX ECDSA Quote Library API, "Enclave Report Body").
#include "veritee/verify/dcap_appraisal.hpp"

#include <algorithm>

#include "verify/rule_text.hpp"

namespace veritee::verify {
namespace {

struct Out {
  Appraisal& a;
  void result(bool ok, std::string id, std::string detail) {
    a.checks.add({std::move(id), ok ? CheckStatus::kPass : CheckStatus::kFail, CheckSubject::kEvidence,
                  std::move(detail)});
  }
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// A field that must be one of `allowed` (not checked when the list is empty); the check id is
// "policy." + `id`.
void one_of(Out& out, const char* id, const char* field, ByteView value, const std::vector<Bytes>& allowed,
            const std::string& key) {
  if (allowed.empty()) return;
  const bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const Bytes& b) {
    return std::equal(b.begin(), b.end(), value.begin(), value.end());
  });
  out.result(ok, std::string("policy.") + id, std::string(field) + " " + to_hex(value) + (ok ? " is" : " is not") + " one of " +
                         key + " " + detail::hex_list(allowed));
}

void exact(Out& out, const char* id, const char* field, ByteView value, const std::optional<Bytes>& want,
           const std::string& key) {
  if (!want) return;
  const bool ok = std::equal(want->begin(), want->end(), value.begin(), value.end());
  out.result(ok, std::string("policy.") + id, std::string(field) + " " + to_hex(value) + (ok ? " equals " : " differs from ") +
                         key + " " + to_hex(*want));
}

// What a TCB status the policy accepts says about the platform (the AR4SI "hardware" claim of
// the EAR: a warning makes it 32, "genuine, with known vulnerabilities"). Revoked never gets
// here: it fails verification.
struct StatusClaim {
  tdx::TcbStatus status;
  bool warning;
};
constexpr StatusClaim kStatusClaims[] = {
    {tdx::TcbStatus::kUpToDate, false},
    {tdx::TcbStatus::kSWHardeningNeeded, true},
    {tdx::TcbStatus::kConfigurationNeeded, true},
    {tdx::TcbStatus::kConfigurationAndSWHardeningNeeded, true},
    {tdx::TcbStatus::kOutOfDate, true},
    {tdx::TcbStatus::kOutOfDateConfigurationNeeded, true},
    {tdx::TcbStatus::kRevoked, true},
};

bool status_warns(tdx::TcbStatus status) {
  for (const auto& row : kStatusClaims) {
    if (row.status == status) return row.warning;
  }
  return true;
}

}  // namespace

Appraisal appraise_dcap(const tdx::Quote& quote, const tdx::DcapResult& result,
                        const AppraisalPolicy& policy) {
  Appraisal appraisal;
  Out out{appraisal};
  const bool is_tdx = quote.tee() == tdx::Tee::kTdx;
  const std::string section = is_tdx ? "tdx" : "sgx";
  const DcapPolicy defaults;
  const DcapPolicy& p = is_tdx ? (policy.tdx ? *policy.tdx : defaults) : (policy.sgx ? *policy.sgx : defaults);

  // The TCB status: always judged (UpToDate only unless the policy accepts more).
  const std::string status = result.status ? std::string(tdx::to_string(*result.status)) : "(none)";
  const bool accepted = std::find(p.accept_tcb_status.begin(), p.accept_tcb_status.end(), status) !=
                        p.accept_tcb_status.end();
  out.result(accepted, "policy.dcap.tcb_status",
             "TCB status " + status + (accepted ? " is" : " is not") + " in " + section +
                 ".accept_tcb_status [" + join(p.accept_tcb_status) + "]" +
                 (policy.tdx || policy.sgx ? "" : " (the default)"));
  if (accepted && result.status && status_warns(*result.status)) appraisal.warnings.insert("policy.dcap.tcb_status");
  if (p.allow_advisories) {
    std::vector<std::string> other;
    for (const auto& id : result.advisories) {
      if (std::find(p.allow_advisories->begin(), p.allow_advisories->end(), id) == p.allow_advisories->end()) {
        other.push_back(id);
      }
    }
    out.result(other.empty(), "policy.dcap.advisories",
               other.empty() ? "advisories [" + join(result.advisories) + "] are all in " + section +
                                   ".allow_advisories"
                             : "advisories not in " + section + ".allow_advisories: " + join(other));
    // Tolerated advisories are known, unfixed vulnerabilities: a warning, never affirming.
    if (other.empty() && !result.advisories.empty()) appraisal.warnings.insert("policy.dcap.advisories");
  }

  if (const auto& td = quote.td_body()) {
    one_of(out, "tdx.mr_td", "MRTD", td->mr_td, p.mr_td, "tdx.mr_td");
    static constexpr const char* kRtmr[] = {"tdx.rtmr0", "tdx.rtmr1", "tdx.rtmr2", "tdx.rtmr3"};
    static constexpr const char* kRtmrField[] = {"RTMR0", "RTMR1", "RTMR2", "RTMR3"};
    for (std::size_t i = 0; i < 4; ++i) one_of(out, kRtmr[i], kRtmrField[i], td->rtmr[i], p.rtmr[i], kRtmr[i]);
    one_of(out, "tdx.mr_seam", "MRSEAM", td->mr_seam, p.mr_seam, "tdx.mr_seam");
    exact(out, "tdx.td_attributes", "TDATTRIBUTES", td->td_attributes, p.td_attributes, "tdx.td_attributes");
    exact(out, "tdx.xfam", "XFAM", td->xfam, p.xfam, "tdx.xfam");
  }
  if (const auto& e = quote.enclave_body()) {
    one_of(out, "sgx.mr_enclave", "MRENCLAVE", e->mr_enclave, p.mr_enclave, "sgx.mr_enclave");
    one_of(out, "sgx.mr_signer", "MRSIGNER", e->mr_signer, p.mr_signer, "sgx.mr_signer");
    if (p.isv_prod_id) {
      out.result(e->isv_prod_id == *p.isv_prod_id, "policy.sgx.isv_prod_id",
                 "ISVPRODID " + std::to_string(e->isv_prod_id) +
                     (e->isv_prod_id == *p.isv_prod_id ? " equals" : " differs from") +
                     " sgx.isv_prod_id " + std::to_string(*p.isv_prod_id));
    }
    if (p.min_isv_svn) {
      out.result(e->isv_svn >= *p.min_isv_svn, "policy.sgx.isv_svn",
                 "ISVSVN " + std::to_string(e->isv_svn) + (e->isv_svn >= *p.min_isv_svn ? " >= " : " < ") +
                     "sgx.min_isv_svn " + std::to_string(*p.min_isv_svn));
    }
  }
  return appraisal;
}

}  // namespace veritee::verify
