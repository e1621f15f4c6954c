// `veritee show` and `veritee verify` on DCAP quotes: detection, output, and the exit code of
// every MANIFEST row, plus malformed input (2) and a missing collateral (3).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/dcap_corpus.hpp"
#include "veritee/common/check.hpp"

namespace veritee::tdx {
namespace {

using test::dcap::Row;
using test::run_cli;

class CliShow : public testing::TestWithParam<Row> {};

TEST_P(CliShow, DecodesTheQuoteAsTextAndJson) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  const std::string path = test::dcap::corpus_path(row.quote).string();
  auto text = run_cli({"show", path});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("DCAP quote version " + std::to_string(row.version)), std::string::npos);
  EXPECT_NE(text.out.find("Intel SGX PCK Certificate"), std::string::npos);
  auto js = run_cli({"show", "--json", path});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_EQ(j["family"], "dcap");
  EXPECT_EQ(j["header"]["version"], row.version);
  EXPECT_EQ(j["header"]["tee"], row.tee == "sgx" ? "SGX" : "TDX");
  EXPECT_EQ(j["pck_certificates"].size(), 3u);
  EXPECT_EQ(j["evidence"]["encoding"], row.quote.ends_with(".hex") ? "hex" : "binary");
  if (row.tee == "tdx") {
    EXPECT_EQ(j["body"]["mr_td"].get<std::string>().size(), 96u);
  } else {
    EXPECT_EQ(j["body"]["mr_enclave"].get<std::string>().size(), 64u);
  }
}

INSTANTIATE_TEST_SUITE_P(Dcap, CliShow, testing::ValuesIn(test::dcap::distinct_quotes()),
                         test::dcap::RowName{});

class CliVerify : public testing::TestWithParam<Row> {};

TEST_P(CliVerify, ExitCodeAndStatusFollowTheManifest) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  auto r = run_cli({"verify", "--json", test::dcap::corpus_path(row.quote).string(), "--collateral",
                    test::dcap::corpus_path(row.collateral).string(), "--at", row.at});
  auto j = nlohmann::json::parse(r.out);
  const std::string cls = row.error_class();
  int want = 0;  // exit codes as the README documents them
  if (cls == "TcbInfoExpired" || cls == "TcbInfoNotYetValid" || cls == "QeIdentityWrongTee") {
    want = 3;
  } else if (!cls.empty()) {
    want = 1;
  }
  EXPECT_EQ(r.exit_code, want) << r.out << r.err;
  EXPECT_EQ(j["exit_code"], want);
  EXPECT_EQ(j["fmspc"], row.fmspc);
  if (cls.empty()) {
    EXPECT_EQ(j["tcb_status"], row.expected);
    EXPECT_TRUE(j["verified"].get<bool>());
  } else if (cls != "DebugEnabled") {  // a debug TD has a TCB status, and still fails
    EXPECT_TRUE(j["tcb_status"].is_null());
  }
}

INSTANTIATE_TEST_SUITE_P(Dcap, CliVerify, testing::ValuesIn(test::dcap::rows(true)),
                         test::dcap::RowName{});

TEST(CliDcap, MalformedQuoteIsExit2AndMissingCollateralIsExit3) {
  auto rows = test::dcap::rows(true);
  VERITEE_REQUIRE_DCAP_CORPUS(rows.front());
  test::TempDir dir;
  Bytes quote = test::dcap::read_corpus("dcap-qvl/sample/tdx_quote");
  quote.resize(1000);  // inside the signature data
  auto cut = dir.write("cut.dat", quote);
  auto r = run_cli({"verify", cut.string(), "--collateral",
                    test::dcap::corpus_path("dcap-qvl/sample/tdx_quote_collateral.json").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("truncated quote"), std::string::npos) << r.err;
  auto s = run_cli({"show", cut.string()});
  EXPECT_EQ(s.exit_code, 2);

  // No collateral file, offline, an empty cache: nothing to verify against (never the network).
  auto none = run_cli({"verify", test::dcap::corpus_path("dcap-qvl/sample/tdx_quote").string(),
                       "--offline", "--cache-dir", (dir / "cache").string()});
  EXPECT_EQ(none.exit_code, 3) << none.err;
  EXPECT_NE(none.err.find("--collateral"), std::string::npos);

  auto bad = dir.write("bad.json", std::string("{\"tcb_info\": 1}"));
  auto b = run_cli({"verify", test::dcap::corpus_path("dcap-qvl/sample/tdx_quote").string(),
                    "--collateral", bad.string()});
  EXPECT_EQ(b.exit_code, 3) << b.err;
}

}  // namespace
}  // namespace veritee::tdx
