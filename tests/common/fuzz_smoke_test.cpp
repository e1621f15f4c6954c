// The fuzz smoke run (fuzz/smoke.sh) as part of the test suite: when a clang that can build the
// libFuzzer targets is installed, each target runs a few seconds on the corpus seeds and must
// not crash. Skips (with smoke.sh's reason) when no such clang is installed. Set
// VERITEE_FUZZ_SMOKE=0 to skip it, or to a number of seconds per target (default 5).
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "support/process.hpp"

namespace veritee {
namespace {

TEST(FuzzSmoke, TargetsRunWithoutCrashing) {
  const char* env = std::getenv("VERITEE_FUZZ_SMOKE");
  std::string seconds = env != nullptr && *env != '\0' ? env : "5";
  if (seconds == "0") GTEST_SKIP() << "VERITEE_FUZZ_SMOKE=0";
  std::filesystem::path script = std::filesystem::path(VERITEE_SOURCE_DIR) / "fuzz" / "smoke.sh";
  ASSERT_TRUE(std::filesystem::exists(script)) << script;
  if (!test::have_program("bash")) GTEST_SKIP() << "no bash";
  auto r = test::run_program("bash", {script.string(), seconds});
  auto skip = r.out.find("fuzz smoke: SKIP");
  if (r.exit_code == 0 && skip != std::string::npos) {
    GTEST_SKIP() << r.out.substr(skip, r.out.find('\n', skip) - skip);
  }
  EXPECT_EQ(r.exit_code, 0) << "--- stdout (tail)\n"
                            << r.out.substr(r.out.size() > 4000 ? r.out.size() - 4000 : 0)
                            << "\n--- stderr (tail)\n"
                            << r.err.substr(r.err.size() > 6000 ? r.err.size() - 6000 : 0);
  EXPECT_NE(r.out.find("without a crash"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace veritee
