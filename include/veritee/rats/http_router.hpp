// The verifier service's routes, independent of the HTTP transport that carries them: a request
// {method, path, headers, body, peer} in, a response {status, headers, body} out. The transport
// (src/rats/service/http_transport.hpp) parses HTTP, enforces the connection and body limits and
// asks the router, before it reads a body, whether the method and path exist (404, 405 with
// Allow, RFC 9110 section 15.5.6) so that a request for nothing is never read.
//
// Adding a route is one line, e.g. in a file of its own that the service calls with its router:
//   router.get("/v1/inspect", [](const HttpRequest& req) { return HttpResponse::json(200, ...); });
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace veritee::rats {

struct HttpRequest {
  std::string method;                                       // "GET", "POST", ...
  std::string path;                                         // without the query
  std::string query;                                        // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;                                         // at most the service's body limit
  std::string peer;                                         // the client's address
  std::string id;                                           // the request id (X-Request-Id)

  // The first header of that name (ASCII case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = "application/json";
  std::string body;
  bool close = false;  // close the connection after this response

  // For the request's log line only, never sent.
  std::string log_error;   // the full account of an error (may name server paths)
  std::string ear_status;  // the EAR status of an appraisal

  static HttpResponse json(int status, const nlohmann::json& body);
  // {"error": message}; the message is also logged.
  static HttpResponse error(int status, const std::string& message);
  static HttpResponse text(int status, std::string body, std::string content_type);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Where a handler runs: kInline handlers are cheap and never block (health, metrics, keys): the
// transport may run them on its I/O thread. kWorker handlers (appraisal, which may wait for an
// endorsement source) run on the bounded worker pool.
enum class RouteCost { kInline, kWorker };

class Router {
 public:
  void add(std::string method, std::string path, HttpHandler handler, RouteCost cost = RouteCost::kWorker);
  void get(std::string path, HttpHandler handler, RouteCost cost = RouteCost::kInline) {
    add("GET", std::move(path), std::move(handler), cost);
  }
  void post(std::string path, HttpHandler handler, RouteCost cost = RouteCost::kWorker) {
    add("POST", std::move(path), std::move(handler), cost);
  }

  struct Match {
    const HttpHandler* handler = nullptr;  // null: `refusal` is the answer
    RouteCost cost = RouteCost::kInline;
    bool takes_body = false;               // POST, PUT, PATCH
    HttpResponse refusal;                  // 404, or 405 with Allow
  };
  // Looks a request up from its request line alone (before its body is read).
  Match match(std::string_view method, std::string_view path) const;
  // Runs a matched handler; a handler that throws is a 500 (the message logged, not sent).
  static HttpResponse run(const HttpHandler& handler, const HttpRequest& request);
  // match() and run() in one (for transports that have the whole request).
  HttpResponse handle(const HttpRequest& request) const;
  // The registered path, or "other": a fixed label set, so unknown paths cannot grow the
  // metrics without bound.
  std::string label(std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
    RouteCost cost;
  };
  std::vector<Route> routes_;
};

}  // namespace veritee::rats
