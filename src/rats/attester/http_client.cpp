// One HTTP request to an absolute URL over libcurl (TLS 1.2+, the server's certificate verified
// against --cacert or the system store).
#include "veritee/rats/http_client.hpp"

#include "veritee/endorse/http_get.hpp"

namespace veritee::rats {

std::string join_url(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!path.empty() && path.front() != '/') out += '/';
  return out + std::string(path);
}

Result<HttpReply> http_request(std::string_view method, std::string_view url, std::string_view path,
                               std::string_view body, const HttpRequestOptions& options) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos ||
      (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https")) {
    return fail(Errc::kInvalidInput, "'" + std::string(url) + "' is not an http:// or https:// URL");
  }
  endorse::HttpOptions http;
  http.total_timeout = options.timeout;
  http.connect_timeout = options.timeout;
  http.ca_file = options.ca_file;
  auto res = endorse::http_send(std::string(method), join_url(url, path), std::string(body),
                                "application/json", http);
  if (!res) return std::unexpected(res.error());
  return HttpReply{static_cast<int>(res->status), std::string(res->body.begin(), res->body.end())};
}

}  // namespace veritee::rats
