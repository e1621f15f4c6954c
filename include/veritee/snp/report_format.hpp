// Display of every field of a report: a stable JSON object (documented in docs/json.md) and a
// readable text rendering of the same content.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "veritee/snp/product_decision.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {

nlohmann::json report_to_json(const Report& report, const ProductDecision& product);
std::string report_to_text(const Report& report, const ProductDecision& product);

}  // namespace veritee::snp
