// Display of every field of a DCAP quote: a stable JSON object (docs/json.md, "DCAP quotes") and
// a text rendering of the same fields, in layout order.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "veritee/tdx/quote.hpp"

namespace veritee::tdx {

nlohmann::json quote_to_json(const Quote& quote);
std::string quote_to_text(const Quote& quote);

}  // namespace veritee::tdx
