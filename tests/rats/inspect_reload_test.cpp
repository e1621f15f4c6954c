// `veritee serve`'s POST /v1/inspect appraises against the policy SIGHUP reloaded, as
// /v1/attest does: both read the service's one key-and-policy snapshot (it once kept the policy
// the service started with).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "rats/rats_fixture.hpp"
#include "rats/serve_process.hpp"

namespace veritee::test {
namespace {

// "passed" of the inspector's appraisal, or why there is none.
std::string appraisal_of(int port, const std::string& body) {
  auto r = http_post(port, "/v1/inspect", body);
  if (r.status != 200) return "status " + std::to_string(r.status) + ": " + r.body;
  const auto policy = r.json()["verify"]["policy"];
  if (!policy.is_object() || policy["appraised"] != true) return "not appraised: " + r.body;
  return policy["passed"] == true ? "passed" : "failed";
}

TEST(InspectReload, AppraisesWithThePolicySighupLoaded) {
  VERITEE_REQUIRE_CORPUS();
  auto row = find_row([](const ManifestRow& r) { return r.product == "turin" && r.has_signer() && r.oracle_pass(); });
  if (!row) GTEST_SKIP() << "no Turin row with a signer in the corpus";
  TempDir dir;
  // First a policy no report meets (a measurement of zeros), then one this report meets.
  auto policy = dir.write("policy.toml",
                          "require_nonce = false\nmeasurements = [\"" + std::string(96, '0') + "\"]\n");
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--offline", "--cache-dir", (dir / "cache").string(),
                      "--threads", "2"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  const nlohmann::json body{{"evidence", inspector_text(read_corpus(row->report))},
                            {"vcek", inspector_text(read_corpus(row->signer))},
                            {"appraise", true}};
  EXPECT_EQ(appraisal_of(serve.port(), body.dump()), "failed");

  dir.write("policy.toml", std::string("require_nonce = false\n"));
  serve.signal(SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 500 && !reloaded; ++i) {
    reloaded = serve.err().find("keys and policy reloaded") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(reloaded) << serve.err();
  EXPECT_EQ(appraisal_of(serve.port(), body.dump()), "passed");
  EXPECT_EQ(serve.terminate(), 0) << serve.err();
}

}  // namespace
}  // namespace veritee::test
