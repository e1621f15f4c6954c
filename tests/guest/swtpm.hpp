// A real software TPM (swtpm, TPM 2.0) started for one test on a temporary state directory and
// a free loopback port pair, always killed when the object goes away.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "support/process.hpp"

namespace veritee::test {

class Swtpm {
 public:
  // nullptr with `why` set when swtpm is not installed or did not come up.
  static std::unique_ptr<Swtpm> start(std::string& why);
  ~Swtpm();
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  // "swtpm:host=127.0.0.1,port=P", for open_tpm and --tcti.
  std::string tcti() const;

 private:
  Swtpm() = default;
  TempDir state_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace veritee::test

// Skips the current test when swtpm cannot run here.
#define VERITEE_REQUIRE_SWTPM(var)                     \
  std::string var##_why;                               \
  auto var = ::veritee::test::Swtpm::start(var##_why); \
  if (!var) GTEST_SKIP() << var##_why
