// A small HTTP(S) client for the verifier's clients (attest, check-result): one request to
// an absolute URL, over libcurl (endorse::http_send, the same bounded transfer as KDS).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "veritee/common/error.hpp"

namespace veritee::rats {

struct HttpReply {
  int status = 0;
  std::string body;
};

struct HttpRequestOptions {
  std::chrono::milliseconds timeout{30'000};  // the whole request
  std::string ca_file;  // PEM CA certificates an https:// verifier must chain to; system store when empty
};

// `url` is http:// or https://host[:port][/base]; `path` is appended to the base. A
// transport failure is Errc::kNetwork naming the URL; any HTTP status is a reply. An empty
// `body` with method "GET".
Result<HttpReply> http_request(std::string_view method, std::string_view url,
                               std::string_view path, std::string_view body = {},
                               const HttpRequestOptions& options = {});

// Joins a base URL and a path with one '/'.
std::string join_url(std::string_view base, std::string_view path);

}  // namespace veritee::rats
