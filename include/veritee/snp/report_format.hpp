// Display of every field of a report: a stable JSON object (documented in docs/json.md) and a
// readable text rendering of the same content.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "veritee/snp/evidence.hpp"
#include "veritee/snp/product_decision.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {

nlohmann::json report_to_json(const Report& report, const ProductDecision& product);
std::string report_to_text(const Report& report, const ProductDecision& product);

// How the evidence came: {"encoding", "container", "report_offset"} (docs/json.md).
nlohmann::json evidence_origin_to_json(const Evidence& evidence);
// `veritee show --json` for an SNP report, one writer for the CLI and the service's
// POST /v1/inspect: report_to_json plus "evidence" (above) and "raw" (the report's hex).
nlohmann::json show_to_json(const Evidence& evidence, const ProductDecision& product);

}  // namespace veritee::snp
