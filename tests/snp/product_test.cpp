// Product lines: CPUID ranges, names, certificate names (DESIGN.md 3.3).
#include <gtest/gtest.h>

#include "veritee/snp/product.hpp"

namespace veritee::snp {
namespace {

struct CpuidCase {
  std::uint8_t family, model;
  std::optional<Product> product;
  std::string_view model_name;
};

TEST(ProductFromCpuid, DocumentedRangesAndEdges) {
  const CpuidCase cases[] = {
      {0x19, 0x00, Product::kMilan, "Milan"},  {0x19, 0x01, Product::kMilan, "Milan"},
      {0x19, 0x0F, Product::kMilan, "Milan"},  {0x19, 0x10, Product::kGenoa, "Genoa"},
      {0x19, 0x11, Product::kGenoa, "Genoa"},  {0x19, 0x1F, Product::kGenoa, "Genoa"},
      {0x19, 0x20, std::nullopt, ""},           {0x19, 0x9F, std::nullopt, ""},
      {0x19, 0xA0, Product::kGenoa, "Bergamo/Siena"}, {0x19, 0xAF, Product::kGenoa, "Bergamo/Siena"},
      {0x19, 0xB0, std::nullopt, ""},           {0x19, 0xFF, std::nullopt, ""},
      {0x1A, 0x00, Product::kTurin, "Turin"},  {0x1A, 0x02, Product::kTurin, "Turin"},
      {0x1A, 0x11, Product::kTurin, "Turin"},  {0x1A, 0x12, std::nullopt, ""},
      {0x1A, 0xA0, std::nullopt, ""},           {0x18, 0x01, std::nullopt, ""},
      {0x17, 0x31, std::nullopt, ""},           {0x1B, 0x00, std::nullopt, ""},
      {0x00, 0x00, std::nullopt, ""},
  };
  for (const auto& c : cases) {
    auto got = product_from_cpuid(Cpuid{c.family, c.model, 1});
    SCOPED_TRACE(testing::Message() << "family 0x" << std::hex << int(c.family) << " model 0x"
                                    << int(c.model));
    if (c.product) {
      ASSERT_TRUE(got.has_value()) << got.error().message;
      EXPECT_EQ(got->product, *c.product);
      EXPECT_EQ(got->model_name, c.model_name);
    } else {
      ASSERT_FALSE(got.has_value()) << "accepted as " << to_string(got->product);
      EXPECT_EQ(got.error().code, Errc::kUnknownProduct);
      EXPECT_FALSE(got.error().message.empty());
    }
  }
}

TEST(ProductNames, ToStringAndKdsName) {
  EXPECT_EQ(to_string(Product::kMilan), "milan");
  EXPECT_EQ(to_string(Product::kGenoa), "genoa");
  EXPECT_EQ(to_string(Product::kTurin), "turin");
  EXPECT_EQ(kds_name(Product::kMilan), "Milan");
  EXPECT_EQ(kds_name(Product::kGenoa), "Genoa");
  EXPECT_EQ(kds_name(Product::kTurin), "Turin");
}

TEST(ProductNames, ParseCaseInsensitiveWithGenoaLine) {
  const std::pair<std::string_view, Product> good[] = {
      {"milan", Product::kMilan},   {"MILAN", Product::kMilan},  {"Genoa", Product::kGenoa},
      {"turin", Product::kTurin},   {"TuRiN", Product::kTurin},  {"bergamo", Product::kGenoa},
      {"Siena", Product::kGenoa}};
  for (auto [text, want] : good) {
    auto got = parse_product(text);
    ASSERT_TRUE(got.has_value()) << text << ": " << got.error().message;
    EXPECT_EQ(*got, want) << text;
  }
  for (std::string_view bad : {"", "rome", "milan2", "mil"}) {
    auto got = parse_product(bad);
    EXPECT_FALSE(got.has_value()) << "accepted \"" << bad << "\"";
  }
}

TEST(ProductNames, FromCertificateNames) {
  const std::pair<std::string_view, Product> good[] = {
      {"Milan-B0", Product::kMilan},   {"Milan-B1", Product::kMilan},
      {"Genoa", Product::kGenoa},      {"Genoa-B1", Product::kGenoa},
      {"Turin", Product::kTurin},      {"Turin-C1", Product::kTurin},
      {"ARK-Milan", Product::kMilan},  {"SEV-Milan", Product::kMilan},
      {"ARK-Genoa", Product::kGenoa},  {"SEV-Genoa", Product::kGenoa},
      {"ARK-Turin", Product::kTurin},  {"SEV-VLEK-Turin", Product::kTurin},
      {"SEV-VLEK-Milan", Product::kMilan}};
  for (auto [text, want] : good) {
    auto got = product_from_certificate_name(text);
    ASSERT_TRUE(got.has_value()) << text << ": " << got.error().message;
    EXPECT_EQ(*got, want) << text;
  }
  for (std::string_view bad : {"", "SEV-VCEK", "ARK-Rome", "Naples", "Venice-A0"}) {
    auto got = product_from_certificate_name(bad);
    EXPECT_FALSE(got.has_value()) << "accepted \"" << bad << "\"";
  }
}

}  // namespace
}  // namespace veritee::snp
