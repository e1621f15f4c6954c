// `veritee --version`: this build's version, the libraries it runs with (as loaded, not as
// compiled against) and the build options (docs/json.md "veritee --version --json").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace veritee::cli {

nlohmann::json version_json();
std::string version_text();  // first line "veritee X.Y.Z" (cmake/man_pages.py reads it)

}  // namespace veritee::cli
