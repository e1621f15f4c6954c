// Text the appraisal rules of both families (appraisal.cpp, dcap_appraisal.cpp) put in their
// sentences.
#pragma once

#include <string>
#include <vector>

#include "veritee/common/bytes.hpp"

namespace veritee::verify::detail {

// "[a, b, c]" in hex, with at most three values shown in full ("…, and N more"); appended
// to `out` without temporaries (the measurement and chip lists are most of an appraisal's text).
void append_hex_list(std::string& out, const std::vector<Bytes>& values);
std::string hex_list(const std::vector<Bytes>& values);

}  // namespace veritee::verify::detail
