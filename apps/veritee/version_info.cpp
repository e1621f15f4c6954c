#include "version_info.hpp"

#include <nettle/version.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "verify/report_signature.hpp"
#include "veritee/endorse/http_get.hpp"

namespace veritee::cli {

nlohmann::json version_json() {
  const auto curl = endorse::libcurl_version();  // loads libcurl: --version names what runs
  return {
      {"version", VERITEE_VERSION},
      {"openssl", {{"runtime", OpenSSL_version(OPENSSL_VERSION)}, {"built_with", OPENSSL_VERSION_TEXT}}},
      {"nettle", std::to_string(nettle_version_major()) + "." + std::to_string(nettle_version_minor())},
      {"libcurl", curl ? *curl : "unavailable (" + curl.error().message + ")"},
      {"build",
       {{"type", VERITEE_BUILD_TYPE},
        {"p384_backend", verify::to_string(verify::p384_backend())},
        {"sanitizers", VERITEE_SANITIZERS}}},
  };
}

std::string version_text() {
  const nlohmann::json j = version_json();
  const auto& b = j["build"];
  return "veritee " + j["version"].get<std::string>() + "\n" +
         "OpenSSL: " + j["openssl"]["runtime"].get<std::string>() + " (built with " +
         j["openssl"]["built_with"].get<std::string>() + ")\n" +
         "nettle: " + j["nettle"].get<std::string>() + "\n" +
         "libcurl: " + j["libcurl"].get<std::string>() + "\n" +
         "build: " + b["type"].get<std::string>() + ", P-384 signature backend " +
         b["p384_backend"].get<std::string>() + " (VERITEE_P384=openssl for OpenSSL's), sanitizers " +
         (b["sanitizers"].get<bool>() ? "ASan+UBSan" : "off");
}

}  // namespace veritee::cli
