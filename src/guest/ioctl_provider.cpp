// The /dev/sev-guest evidence provider.
#include "veritee/guest/ioctl_provider.hpp"

#include "veritee/guest/sev_guest_client.hpp"

namespace veritee::guest {

Result<GuestEvidence> IoctlProvider::collect(const EvidenceRequest& request) {
  SevGuestClient client(*device_);
  const std::uint32_t vmpl = request.vmpl.value_or(0);
  auto got = request.want_certs ? client.get_ext_report(request.report_data, vmpl)
                                : client.get_report(request.report_data, vmpl);
  if (!got) return std::unexpected(got.error());
  GuestEvidence out;
  out.provider = ProviderKind::kIoctl;
  out.report = std::move(got->report);
  out.cert_table = std::move(got->cert_table);
  if (request.want_certs) {
    out.notes.push_back("SNP_GET_EXT_REPORT with a " + std::to_string(got->certs_buffer_len) +
                        "-byte certificate buffer (" + std::to_string(got->attempts) +
                        (got->attempts == 1 ? " request)" : " requests: size probe, retry)"));
    if (!out.cert_table) out.notes.push_back("the host provided no certificate table");
  } else {
    out.notes.push_back("SNP_GET_REPORT (no certificate table asked)");
  }
  return out;
}

}  // namespace veritee::guest
