// Appraisal of a verified DCAP quote against the [tdx] / [sgx] section of an AppraisalPolicy
// (docs/dcap.md "Appraisal"): the TCB status and advisories it accepts, and the reference
// values (MRTD, RTMRs, MRSEAM, TD attributes, XFAM; MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN).
// One Check per rule the section sets; the TCB status rule always runs.
#pragma once

#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/verify.hpp"
#include "veritee/verify/appraisal.hpp"
#include "veritee/verify/policy.hpp"

namespace veritee::verify {

// `result` is the quote's authenticity result (verify_quote); call only when it verified.
Appraisal appraise_dcap(const tdx::Quote& quote, const tdx::DcapResult& result,
                        const AppraisalPolicy& policy);

}  // namespace veritee::verify
