// `veritee show --json` and `veritee verify --json` for a DCAP quote (docs/json.md, "DCAP
// quotes"), written here once for the CLI and the service's POST /v1/inspect.
#pragma once

#include <nlohmann/json.hpp>

#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::tdx {

// quote_to_json plus "evidence": {"encoding"}.
nlohmann::json quote_input_to_json(const QuoteInput& in);

// {status, platform_status, qe_status, tdx_module_status, advisories, fmspc, tcb_date, debug}:
// the TCB the verification established (statuses null when not established); the EAR's
// veritee.report.tcb.
nlohmann::json tcb_to_json(const DcapResult& result);

// {verified, exit_code, tcb_status, ..., checks[], quote}. `exit_code` is the caller's mapping
// of the verdict (the CLI's exit codes).
nlohmann::json dcap_result_to_json(const QuoteInput& in, const DcapResult& result, int exit_code);

}  // namespace veritee::tdx
