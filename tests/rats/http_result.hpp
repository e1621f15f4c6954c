// A cpp-httplib answer as the tests' HttpResult, for tests that hold their own httplib::Client
// (keep-alive connections) as well as for the fixture's one-shot helpers.
#pragma once

#include <httplib.h>

#include "rats/rats_fixture.hpp"

namespace veritee::test {

inline HttpResult to_http_result(const httplib::Result& res) {
  HttpResult out;
  if (!res) {
    out.error = httplib::to_string(res.error());
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  return out;
}

}  // namespace veritee::test
