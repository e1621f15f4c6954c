// What a guest checks about the evidence it just obtained, as an ordered CheckList
// (check.hpp): the report is one well-formed view, it carries what was asked, and (Azure) the
// runtime claims are bound to it and carry the user data.
#pragma once

#include "veritee/common/check.hpp"
#include "veritee/guest/provider.hpp"

namespace veritee::guest {

// Checks, in order:
//  guest.report.size      the report is exactly 0x4A0 bytes and parses as a Report view
//  guest.report_data      REPORT_DATA equals request.report_data (ioctl, tsm; skipped for
//                         azure, where REPORT_DATA holds the runtime-claims hash)
//  guest.vmpl             VMPL equals request.vmpl, or 0 when none was asked (ioctl, tsm)
//  guest.hcl.bound        azure: REPORT_DATA starts with the hash of the runtime claims
//  guest.hcl.user_data    azure: the claims' "user-data" (hex) equals request.report_data
//  guest.cert_table       the certificate table parses (skipped when there is none)
CheckList check_evidence(const GuestEvidence& evidence, const EvidenceRequest& request);

}  // namespace veritee::guest
