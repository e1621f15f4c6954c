// A parameterized suite whose tests share one in-process service (default policy without a
// required nonce), started once for the suite: the corpus rows over HTTP, SNP and DCAP alike.
#pragma once

#include <gtest/gtest.h>

#include "rats/rats_fixture.hpp"

namespace veritee::test {

template <typename Param>
class SharedServerSuite : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() {
    ServerOptions o;
    o.policy = no_nonce_policy();
    server_ = new TestServer(o);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static inline TestServer* server_ = nullptr;
};

}  // namespace veritee::test
