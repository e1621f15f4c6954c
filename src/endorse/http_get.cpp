// One HTTP GET through libcurl's easy interface. libcurl is loaded on the first request
// (veritee/common/shared_library.hpp): a command that never fetches never maps it, nor the
// TLS, Kerberos, LDAP and SSH libraries behind it.
#include "veritee/endorse/http_get.hpp"

// The functions are called through pointers: curl_easy_setopt must be the plain function
// declaration, not the type-checking macro of curl/typecheck-gcc.h.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include <cctype>

#include "veritee/common/shared_library.hpp"

#include <memory>
#include <string>

namespace veritee::endorse {

namespace {

// The libcurl functions this file calls, resolved from libcurl.so.4 once per process
// (curl_global_init included).
struct CurlApi {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_version_info) version_info = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
  decltype(&::curl_easy_unescape) easy_unescape = nullptr;
  decltype(&::curl_free) free = nullptr;
};

Result<CurlApi> load_curl() {
  auto lib = SharedLibrary::load("libcurl.so.4");
  if (!lib) return std::unexpected(lib.error());
  CurlApi api;
  for (const Result<void>& ok : {lib->bind(api.global_init, "curl_global_init"),
                                 lib->bind(api.easy_init, "curl_easy_init"),
                                 lib->bind(api.easy_cleanup, "curl_easy_cleanup"),
                                 lib->bind(api.easy_setopt, "curl_easy_setopt"),
                                 lib->bind(api.easy_perform, "curl_easy_perform"),
                                 lib->bind(api.easy_getinfo, "curl_easy_getinfo"),
                                 lib->bind(api.easy_strerror, "curl_easy_strerror"),
                                 lib->bind(api.version_info, "curl_version_info"),
                                 lib->bind(api.slist_append, "curl_slist_append"),
                                 lib->bind(api.slist_free_all, "curl_slist_free_all"),
                                 lib->bind(api.easy_unescape, "curl_easy_unescape"),
                                 lib->bind(api.free, "curl_free")}) {
    if (!ok) return std::unexpected(ok.error());
  }
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return fail(Errc::kNetwork, "libcurl could not initialise");
  }
  return api;
}

const Result<CurlApi>& curl() {
  static const Result<CurlApi> api = load_curl();
  return api;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl()->easy_cleanup(c); }
};

struct Sink {
  Bytes* body;
  std::size_t limit;
  bool overflow = false;
};

std::size_t on_data(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body->size() + n > sink->limit) {
    sink->overflow = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  sink->body->insert(sink->body->end(), reinterpret_cast<const std::uint8_t*>(data),
                     reinterpret_cast<const std::uint8_t*>(data) + n);
  return n;
}

// Collects "Name: value" lines; a new status line (after a 1xx or redirect) starts over. The
// headers count against the same byte limit as the body.
struct HeaderSink {
  std::map<std::string, std::string>* headers;
  std::size_t limit;
  std::size_t used = 0;
  bool overflow = false;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  const std::size_t n = size * count;
  sink->used += n;
  if (sink->used > sink->limit) {
    sink->overflow = true;
    return 0;
  }
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    sink->headers->clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  (*sink->headers)[name] = std::string(value);
  return n;
}

bool is_loopback(const std::string& url) {
  for (std::string_view prefix : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    if (url.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

Result<std::string> url_decode(const std::string& text) {
  const Result<CurlApi>& api = curl();
  if (!api) return std::unexpected(api.error());
  int length = 0;
  char* decoded = api->easy_unescape(nullptr, text.c_str(), static_cast<int>(text.size()), &length);
  if (!decoded) return fail(Errc::kInvalidInput, "not URL-encoded text");
  std::string out(decoded, static_cast<std::size_t>(length));
  api->free(decoded);
  return out;
}

Result<std::string> libcurl_version() {
  const Result<CurlApi>& api = curl();
  if (!api) return std::unexpected(api.error());
  const curl_version_info_data* info = api->version_info(CURLVERSION_NOW);
  if (!info || !info->version) return fail(Errc::kUnsupported, "libcurl reports no version");
  return std::string(info->version);
}

std::string default_user_agent() {
  if (!curl()) return std::string("veritee/") + VERITEE_VERSION + " (libcurl unavailable)";
  const curl_version_info_data* info = curl()->version_info(CURLVERSION_NOW);
  return std::string("veritee/") + VERITEE_VERSION + " (libcurl/" + info->version + ")";
}

Result<HttpResponse> http_get(const std::string& url, const HttpOptions& options) {
  return http_send("GET", url, {}, {}, options);
}

Result<HttpResponse> http_send(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& content_type,
                               const HttpOptions& options) {
  const Result<CurlApi>& api = curl();
  if (!api) return fail(Errc::kNetwork, method + " " + url + ": " + api.error().message);
  std::unique_ptr<CURL, CurlDeleter> handle(api->easy_init());
  if (!handle) return fail(Errc::kNetwork, "libcurl could not start a transfer");
  HttpResponse response;
  Sink sink{&response.body, options.max_body};
  HeaderSink header_sink{&response.headers, options.max_body};
  char error[CURL_ERROR_SIZE] = {};
  const std::string agent =
      options.user_agent.empty() ? default_user_agent() : options.user_agent;

  CURL* c = handle.get();
  const auto curl_easy_setopt = api->easy_setopt;
  const auto curl_easy_getinfo = api->easy_getinfo;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: safe in threads
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &header_sink);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // A loopback KDS (tests, a local mirror) is never sent through a proxy.
  if (is_loopback(url)) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  // TLS 1.2 or later, the server's certificate and name always verified.
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, api->slist_free_all);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (!content_type.empty()) {
      headers.reset(api->slist_append(nullptr, ("Content-Type: " + content_type).c_str()));
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    }
  }

  const CURLcode rc = api->easy_perform(c);
  if (sink.overflow) {
    return fail(Errc::kNetwork, method + " " + url + ": response larger than " +
                                    std::to_string(options.max_body) + " bytes, abandoned");
  }
  if (header_sink.overflow) {
    return fail(Errc::kNetwork, method + " " + url + ": response headers larger than " +
                                    std::to_string(options.max_body) + " bytes, abandoned");
  }
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? error : api->easy_strerror(rc);
    return fail(Errc::kNetwork, method + " " + url + ": " + reason);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    response.retry_after = std::chrono::seconds(retry_after);
  }
  return response;
}

}  // namespace veritee::endorse
