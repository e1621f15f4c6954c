// `verify QUOTE --policy FILE`: the [tdx] / [sgx] keys against the corpus quotes' own values
// (exit 0), changed values (exit 5), the TCB status allowlist, and malformed policies (exit 2).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/dcap_corpus.hpp"
#include "veritee/verify/check_registry.hpp"

namespace veritee::tdx {
namespace {

using test::run_cli;

std::string p(const char* rel) { return test::dcap::corpus_path(rel).string(); }

struct Run {
  int code;
  nlohmann::json j;
  std::string err;
};

Run verify(const char* quote, const char* collateral, const char* at, const std::string& policy) {
  test::TempDir dir;
  auto file = dir.write("policy.toml", policy);
  auto r = run_cli({"verify", "--json", p(quote), "--collateral", p(collateral), "--at", at,
                    "--policy", file.string()});
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  return {r.exit_code, j, r.err};
}

nlohmann::json body(const char* quote) {
  auto r = run_cli({"show", "--json", p(quote)});
  return nlohmann::json::parse(r.out)["body"];
}

std::vector<std::string> failed(const nlohmann::json& j) {
  std::vector<std::string> out;
  for (const auto& c : j["checks"]) {
    if (!c["ok"].get<bool>()) out.push_back(c["id"]);
    EXPECT_NE(verify::find_check(c["id"].get<std::string>()), nullptr) << c["id"];
  }
  return out;
}

constexpr const char* kTdx = "dcap-qvl/sample/tdx_quote";
constexpr const char* kTdxCol = "dcap-qvl/sample/tdx_quote_collateral.json";
constexpr const char* kSgx = "dcap-qvl/sample/sgx_quote";
constexpr const char* kSgxCol = "dcap-qvl/sample/sgx_quote_collateral.json";
constexpr const char* kAt = "2025-07-04T10:00:00Z";

TEST(DcapPolicy, TdxReferenceValuesPassAndAChangedOneFails) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  auto b = body(kTdx);
  const std::string mr_td = b["mr_td"];
  std::string good = "[tdx]\nmr_td = [\"" + mr_td + "\"]\nrtmr0 = [\"" + b["rtmr0"].get<std::string>() +
                     "\"]\nmr_seam = [\"" + b["mr_seam"].get<std::string>() + "\"]\ntd_attributes = \"" +
                     b["td_attributes"].get<std::string>() + "\"\nxfam = \"" + b["xfam"].get<std::string>() + "\"\n";
  auto ok = verify(kTdx, kTdxCol, kAt, good);
  EXPECT_EQ(ok.code, 0) << ok.err << ok.j.dump(1);
  EXPECT_TRUE(failed(ok.j).empty());
  EXPECT_EQ(ok.j["policy"]["passed"], true);

  std::string other = mr_td;
  other[0] = other[0] == '0' ? '1' : '0';
  auto bad = verify(kTdx, kTdxCol, kAt, "[tdx]\nmr_td = [\"" + other + "\"]\n");
  EXPECT_EQ(bad.code, 5) << bad.err;
  EXPECT_EQ(failed(bad.j), std::vector<std::string>{"policy.tdx.mr_td"});
}

TEST(DcapPolicy, TcbStatusIsUpToDateOnlyByDefault) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  // The SGX sample is ConfigurationAndSWHardeningNeeded (MANIFEST).
  auto strict = verify(kSgx, kSgxCol, kAt, "id = \"strict\"\n");
  EXPECT_EQ(strict.code, 5) << strict.err;
  EXPECT_EQ(failed(strict.j), std::vector<std::string>{"policy.dcap.tcb_status"});
  auto lenient = verify(kSgx, kSgxCol, kAt,
                        "[sgx]\naccept_tcb_status = [\"UpToDate\", \"ConfigurationAndSWHardeningNeeded\"]\n"
                        "allow_advisories = [\"INTEL-SA-00289\", \"INTEL-SA-00615\"]\n");
  EXPECT_EQ(lenient.code, 0) << lenient.err << lenient.j.dump(1);
  auto advisories = verify(kSgx, kSgxCol, kAt,
                           "[sgx]\naccept_tcb_status = [\"ConfigurationAndSWHardeningNeeded\"]\n"
                           "allow_advisories = [\"INTEL-SA-00289\"]\n");
  EXPECT_EQ(advisories.code, 5);
  EXPECT_EQ(failed(advisories.j), std::vector<std::string>{"policy.dcap.advisories"});
}

TEST(DcapPolicy, SgxIdentity) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  auto b = body(kSgx);
  const std::string base = "[sgx]\naccept_tcb_status = [\"ConfigurationAndSWHardeningNeeded\"]\n";
  auto ok = verify(kSgx, kSgxCol, kAt,
                   base + "mr_enclave = [\"" + b["mr_enclave"].get<std::string>() + "\"]\nmr_signer = [\"" +
                       b["mr_signer"].get<std::string>() + "\"]\nisv_prod_id = " +
                       std::to_string(b["isv_prod_id"].get<int>()) + "\nmin_isv_svn = " +
                       std::to_string(b["isv_svn"].get<int>()) + "\n");
  EXPECT_EQ(ok.code, 0) << ok.err << ok.j.dump(1);
  auto bad = verify(kSgx, kSgxCol, kAt,
                    base + "min_isv_svn = " + std::to_string(b["isv_svn"].get<int>() + 1) + "\n");
  EXPECT_EQ(bad.code, 5);
  EXPECT_EQ(failed(bad.j), std::vector<std::string>{"policy.sgx.isv_svn"});
}

TEST(DcapPolicy, MalformedSectionsAreUsageErrors) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  EXPECT_EQ(verify(kTdx, kTdxCol, kAt, "[tdx]\nmr_enclave = [\"00\"]\n").code, 2);  // an SGX key
  EXPECT_EQ(verify(kTdx, kTdxCol, kAt, "[tdx]\naccept_tcb_status = [\"Fine\"]\n").code, 2);
  EXPECT_EQ(verify(kTdx, kTdxCol, kAt, "[tdx]\nmr_td = [\"abcd\"]\n").code, 2);
  auto r = run_cli({"verify", p(kTdx), "--collateral", p(kTdxCol), "--at", kAt, "--measurement",
                    std::string(96, '0')});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace veritee::tdx
