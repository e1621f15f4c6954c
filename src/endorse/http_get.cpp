// One HTTP GET through libcurl's easy interface.
#include "veritee/endorse/http_get.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <string>

namespace veritee::endorse {

namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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

std::string default_user_agent() {
  global_init();
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return std::string("veritee/") + VERITEE_VERSION + " (libcurl/" + info->version + ")";
}

Result<HttpResponse> http_get(const std::string& url, const HttpOptions& options) {
  global_init();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail(Errc::kNetwork, "libcurl could not start a transfer");
  HttpResponse response;
  Sink sink{&response.body, options.max_body};
  HeaderSink header_sink{&response.headers, options.max_body};
  char error[CURL_ERROR_SIZE] = {};
  const std::string agent =
      options.user_agent.empty() ? default_user_agent() : options.user_agent;

  CURL* c = curl.get();
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

  const CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) {
    return fail(Errc::kNetwork, "GET " + url + ": response larger than " +
                                    std::to_string(options.max_body) + " bytes, abandoned");
  }
  if (header_sink.overflow) {
    return fail(Errc::kNetwork, "GET " + url + ": response headers larger than " +
                                    std::to_string(options.max_body) + " bytes, abandoned");
  }
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? error : curl_easy_strerror(rc);
    return fail(Errc::kNetwork, "GET " + url + ": " + reason);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    response.retry_after = std::chrono::seconds(retry_after);
  }
  return response;
}

}  // namespace veritee::endorse
