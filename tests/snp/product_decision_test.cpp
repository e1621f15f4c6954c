// The product decision over every corpus report (DESIGN.md 3.3): the claims present agree with
// the manifest, and any contrary claim makes the decision disputed, naming both sides.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/product_decision.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;

class ProductDecisionCorpus : public testing::TestWithParam<ManifestRow> {};

Product another(Product p) { return p == Product::kMilan ? Product::kGenoa : Product::kMilan; }

TEST_P(ProductDecisionCorpus, AgreesWithTheManifestAndDisputesAContraryClaim) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  const auto expected = row.product_value();
  if (!expected) GTEST_SKIP() << row.report << ": the manifest names no product";
  Bytes b = test::report_bytes_of(row);
  auto r = Report::parse(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;

  const auto user = row.version < 3 ? expected : std::nullopt;
  ProductDecision d = decide_product(*r, user, std::nullopt);
  ASSERT_TRUE(d.decided()) << d.problem;
  EXPECT_EQ(*d.product, *expected);
  EXPECT_EQ(d.source, row.version < 3 ? ProductSource::kUser : ProductSource::kCpuid);
  EXPECT_TRUE(d.problem.empty()) << d.problem;

  // The certificate agreeing changes nothing; disagreeing disputes the decision.
  ProductDecision agreed = decide_product(*r, user, *expected);
  EXPECT_TRUE(agreed.decided());
  EXPECT_EQ(agreed.claims.size(), 2u);  // CPUID or the user, and the certificate

  ProductDecision disputed = decide_product(*r, user, another(*expected));
  EXPECT_TRUE(disputed.disputed);
  EXPECT_FALSE(disputed.decided());
  EXPECT_NE(disputed.problem.find("product mismatch"), std::string::npos) << disputed.problem;
  EXPECT_NE(disputed.problem.find(std::string(to_string(another(*expected)))), std::string::npos);
}

TEST_P(ProductDecisionCorpus, NothingNamesAV2ReportsProduct) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  if (row.version >= 3) GTEST_SKIP() << row.report << ": v3+ reports carry CPUID";
  Bytes b = test::report_bytes_of(row);
  auto r = Report::parse(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ProductDecision d = decide_product(*r, std::nullopt, std::nullopt);
  EXPECT_FALSE(d.product.has_value());
  EXPECT_FALSE(d.source.has_value());
  EXPECT_EQ(d.source_name(), "");
  EXPECT_NE(d.problem.find("product unknown"), std::string::npos) << d.problem;
}

INSTANTIATE_TEST_SUITE_P(Manifest, ProductDecisionCorpus, testing::ValuesIn(test::all_manifest_rows()),
                         test::ManifestRowName{});

TEST(ProductSource, StableJsonNames) {
  EXPECT_EQ(to_string(ProductSource::kCpuid), "cpuid");
  EXPECT_EQ(to_string(ProductSource::kUser), "--product");
  EXPECT_EQ(to_string(ProductSource::kCertificate), "certificate");
}

}  // namespace
}  // namespace veritee::snp
