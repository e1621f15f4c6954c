// One HTTP request to an absolute URL over cpp-httplib (TLS through OpenSSL, verifying the
// server's certificate against the system store).
#include "veritee/rats/http_client.hpp"

#include <httplib.h>

#include <cstdio>

namespace veritee::rats {
namespace {

// httplib names its errors in one word ("Connection"); say what it means for the user.
std::string describe(httplib::Error e, std::chrono::milliseconds timeout) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", std::chrono::duration<double>(timeout).count());
  const std::string secs = buf;
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect (refused, unreachable or no answer within " + secs + "; is the URL right and the service up?)";
    case httplib::Error::Read: return "the connection failed or stalled (over " + secs + ") while reading the response";
    case httplib::Error::Write: return "the connection failed or stalled (over " + secs + ") while sending the request";
    case httplib::Error::SSLConnection: return "the TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    case httplib::Error::ConnectionTimeout: return "no connection within " + secs;
    default: return "HTTP transport error (" + httplib::to_string(e) + ")";
  }
}

}  // namespace

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
  const auto path_start = url.find('/', scheme_end + 3);
  const std::string origin(url.substr(0, path_start));
  const std::string base = path_start == std::string_view::npos ? "" : std::string(url.substr(path_start));
  const std::string target = join_url(base, path);

  httplib::Client client(origin);
  if (!client.is_valid()) return fail(Errc::kInvalidInput, "cannot use URL '" + std::string(url) + "'");
  client.set_connection_timeout(options.timeout);
  client.set_read_timeout(options.timeout);
  client.set_write_timeout(options.timeout);
  client.set_tcp_nodelay(true);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
  client.enable_server_certificate_verification(true);
#endif
  httplib::Result res = method == "POST"
                            ? client.Post(target, std::string(body), "application/json")
                            : client.Get(target);
  if (!res) {
    return fail(Errc::kNetwork, std::string(method) + " " + origin + target + ": " + describe(res.error(), options.timeout));
  }
  return HttpReply{res->status, res->body};
}

}  // namespace veritee::rats
