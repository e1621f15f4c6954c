// One HTTP GET through libcurl's easy interface.
#include "veritee/endorse/http_get.hpp"

#include <curl/curl.h>

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
  return http_send("GET", url, {}, {}, options);
}

Result<HttpResponse> http_send(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& content_type,
                               const HttpOptions& options) {
  global_init();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return fail(Errc::kNetwork, "libcurl could not start a transfer");
  HttpResponse response;
  Sink sink{&response.body, options.max_body};
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
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // A loopback KDS (tests, a local mirror) is never sent through a proxy.
  if (is_loopback(url)) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  // TLS 1.2 or later, the server's certificate and name always verified.
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (!content_type.empty()) {
      headers.reset(curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str()));
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    }
  }

  const CURLcode rc = curl_easy_perform(c);
  if (sink.overflow) {
    return fail(Errc::kNetwork, method + " " + url + ": response larger than " +
                                    std::to_string(options.max_body) + " bytes, abandoned");
  }
  if (rc != CURLE_OK) {
    std::string reason = error[0] != '\0' ? error : curl_easy_strerror(rc);
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
