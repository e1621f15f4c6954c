// The JSON form of checks, one shape wherever a check list is printed or returned:
// {"id", "ok", "status": "pass"|"fail"|"skip", "subject": "evidence"|"endorsement", "detail"}.
#pragma once

#include <nlohmann/json.hpp>

#include "veritee/common/check.hpp"

namespace veritee {

nlohmann::json check_to_json(const Check& check);
nlohmann::json checks_to_json(const CheckList& checks);  // an array, in the list's order

}  // namespace veritee
