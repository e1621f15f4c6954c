// Route lookup by exact path, 404/405 from the request line, handlers' exceptions as 500.
#include "veritee/rats/http_router.hpp"

#include <algorithm>
#include <exception>

namespace veritee::rats {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequal(k, name)) return v;
  }
  return {};
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

HttpResponse HttpResponse::error(int status, const std::string& message) {
  HttpResponse r = json(status, {{"error", message}});
  r.log_error = message;
  return r;
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

void Router::add(std::string method, std::string path, HttpHandler handler, RouteCost cost) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), cost});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  m.takes_body = method == "POST" || method == "PUT" || method == "PATCH";
  std::string allow;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    if (r.method == method) {
      m.handler = &r.handler;
      m.cost = r.cost;
      return m;
    }
    if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (allow.empty()) {
    m.refusal = HttpResponse::error(404, "no such resource");
  } else {
    m.refusal = HttpResponse::error(405, std::string(method) + " is not allowed here; use " + allow);
    m.refusal.headers.emplace_back("Allow", allow);
  }
  return m;
}

HttpResponse Router::run(const HttpHandler& handler, const HttpRequest& request) {
  try {
    return handler(request);
  } catch (const std::exception& e) {
    HttpResponse r = HttpResponse::error(500, "internal error");
    r.log_error = std::string("internal error: ") + e.what();
    return r;
  } catch (...) {
    return HttpResponse::error(500, "internal error");
  }
}

HttpResponse Router::handle(const HttpRequest& request) const {
  Match m = match(request.method, request.path);
  if (!m.handler) return m.refusal;
  return run(*m.handler, request);
}

std::string Router::label(std::string_view path) const {
  for (const auto& r : routes_) {
    if (r.path == path) return r.path;
  }
  return "other";
}

}  // namespace veritee::rats
