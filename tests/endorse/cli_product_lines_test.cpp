// v2 reports (no CPUID) verified with no --product through the loopback KDS that serves the
// real VCEKs: the CLI tries Milan, then Genoa; the pinned chain and the signature decide, and
// the trace says which lines were tried and which matched.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kds_fixtures.hpp"
#include "support/corpus.hpp"
#include "support/process.hpp"

namespace veritee {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class CliProductLines : public testing::Test {
 protected:
  void SetUp() override {
    milan_ = test::milan_v2_sample();
    auto row = test::find_row([](const test::ManifestRow& r) {
      return r.version == 2 && r.product == "genoa" && r.oracle_pass() && r.container().empty();
    });
    if (!milan_ || !row) GTEST_SKIP() << "evidence corpus not found: v2 Milan and Genoa reports needed";
    auto vcek = x509::Certificate::load_file(test::corpus_path(row->signer));
    ASSERT_TRUE(vcek && vcek->size() == 1);
    genoa_report_ = test::corpus_path(row->report).string();
    mock_.add_vcek(snp::Product::kMilan, milan_->vcek);
    mock_.add_vcek(snp::Product::kGenoa, vcek->front());
    unsetenv("VERITEE_KDS_URL");
  }
  std::vector<std::string> net(std::vector<std::string> args) const {
    args.insert(args.end(), {"--kds-url", mock_.url(), "--cache-dir", cache_.path().string(),
                             "--rate-limit", "0", "--kds-timeout", "5", "--no-crl"});
    return args;
  }

  std::optional<test::Sample> milan_;
  std::string genoa_report_;
  test::MockKds mock_;
  test::TempDir cache_;
};

TEST_F(CliProductLines, MilanV2IsFoundOnTheFirstTry) {
  auto r = test::run_cli(net({"verify", milan_->report_file.string()}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "Milan (KDS): matched")) << r.out;
  EXPECT_FALSE(contains(r.out, "Genoa (KDS)")) << r.out;
  EXPECT_EQ(mock_.requests("/vcek/v1/Genoa"), 0U);
  EXPECT_TRUE(mock_.errors().empty());
}

TEST_F(CliProductLines, GenoaV2IsFoundOnTheSecondTryThenFromTheCache) {
  auto r = test::run_cli(net({"verify", "--json", genoa_report_}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::string product_detail;
  for (const auto& c : j["checks"]) {
    if (c["id"] == "product") product_detail = c["detail"];
  }
  EXPECT_TRUE(contains(product_detail, "Milan (KDS): ")) << product_detail;
  EXPECT_TRUE(contains(product_detail, "Genoa (KDS): matched")) << product_detail;
  EXPECT_LT(product_detail.find("Milan (KDS)"), product_detail.find("Genoa (KDS)"));
  EXPECT_EQ(j["report"]["product"], "genoa");
  EXPECT_EQ(mock_.requests("/vcek/v1/Milan"), 1U);
  EXPECT_EQ(mock_.requests("/vcek/v1/Genoa"), 1U);

  // Again: the cache has it; KDS is not asked.
  r = test::run_cli(net({"verify", genoa_report_}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "Genoa (local sources): matched")) << r.out;
  EXPECT_EQ(mock_.requests("/vcek/v1/Genoa"), 1U);
  EXPECT_EQ(mock_.requests("/vcek/v1/Milan"), 1U);
}

TEST_F(CliProductLines, BatchModeFindsBothLines) {
  auto r = test::run_cli(net({"verify", milan_->report_file.string(), genoa_report_}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "\"product\":\"milan\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"product\":\"genoa\"")) << r.out;
}

TEST_F(CliProductLines, OfflineWithNothingCachedNamesBothLines) {
  auto r = test::run_cli(net({"verify", "--offline", genoa_report_}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "tried Milan (local sources)")) << r.err;
  EXPECT_TRUE(contains(r.err, "Genoa (local sources)")) << r.err;
  EXPECT_EQ(mock_.requests(), 0U);
}

}  // namespace
}  // namespace veritee
