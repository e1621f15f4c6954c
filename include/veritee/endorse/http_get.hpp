// One HTTP GET over libcurl, without retries or policy (that is KdsClient's job).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::endorse {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};  // the whole transfer, body included
  std::string user_agent;                           // "veritee/<version>" when empty
  std::size_t max_body = 1 << 20;                   // a VCEK is ~1.3 KiB, a CRL a few KiB
  std::string ca_file;  // PEM CA certificates that https:// servers must chain to; the system store when empty
};

struct HttpResponse {
  long status = 0;
  Bytes body;
  // Retry-After (RFC 9110 section 10.2.3), seconds or an HTTP-date turned into seconds from
  // now; 0 when absent.
  std::chrono::seconds retry_after{0};
  // Response headers, names lower-cased, of the final response (Intel PCS sends the issuer
  // chains of what it serves in headers); a repeated header keeps its last value.
  std::map<std::string, std::string> headers;
};

// A transport failure (no connection, timeout, truncated body, body over max_body) is
// Errc::kNetwork with curl's reason; any HTTP status is a response.
Result<HttpResponse> http_get(const std::string& url, const HttpOptions& options);

// The same bounds for any method: `body` sent (with `content_type`) when the method is not GET.
// All of veritee's outbound HTTP goes through here (KDS, and the attester's calls to a verifier).
Result<HttpResponse> http_send(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& content_type,
                               const HttpOptions& options);

// "veritee/0.1.0 (libcurl/7.88.1)".
std::string default_user_agent();

// The version of the libcurl this process loads ("7.88.1"), or why it cannot be loaded.
Result<std::string> libcurl_version();

// RFC 3986 percent-decoding through libcurl (e.g. the PEM of Intel PCS issuer-chain headers).
Result<std::string> url_decode(const std::string& text);

}  // namespace veritee::endorse
