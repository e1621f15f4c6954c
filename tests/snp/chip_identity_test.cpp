// Chip identities and VLEK detection: one rule for the KDS request, the endorsement check, the
// verifier and the appraisal (DESIGN.md 3.5).
#include <gtest/gtest.h>

#include "veritee/snp/chip_identity.hpp"

namespace veritee::snp {
namespace {

Bytes chip_of(std::size_t significant, std::uint8_t seed = 0x11) {
  Bytes chip(64, 0);
  for (std::size_t i = 0; i < significant; ++i) chip[i] = static_cast<std::uint8_t>(seed + i);
  return chip;
}

TEST(ChipIdentity, HwIdSizes) {
  EXPECT_EQ(hw_id_size(Product::kTurin), 8u);
  EXPECT_EQ(hw_id_size(Product::kMilan), 64u);
  EXPECT_EQ(hw_id_size(Product::kGenoa), 64u);
}

TEST(ChipIdentity, HwIdOfTakesTheProductsLength) {
  const Bytes milan = chip_of(64);
  auto m = hw_id_of(milan, Product::kMilan);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->size(), 64u);

  const Bytes turin = chip_of(8);
  auto t = hw_id_of(turin, Product::kTurin);
  ASSERT_TRUE(t.has_value()) << t.error().message;
  EXPECT_EQ(Bytes(t->begin(), t->end()), Bytes(turin.begin(), turin.begin() + 8));
}

TEST(ChipIdentity, HwIdOfRefusesWhatNamesNoChip) {
  auto zero = hw_id_of(Bytes(64, 0), Product::kGenoa);
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().code, Errc::kUnsupported);
  EXPECT_NE(zero.error().message.find("all zero"), std::string::npos);

  // A Milan-style CHIP_ID is not a Turin hwID: bytes 8..63 must be zero.
  auto not_turin = hw_id_of(chip_of(64), Product::kTurin);
  ASSERT_FALSE(not_turin.has_value());
  EXPECT_EQ(not_turin.error().code, Errc::kInvalidInput);
  EXPECT_NE(not_turin.error().message.find("after the first 8"), std::string::npos);
}

TEST(ChipIdentity, NamesChipByLength) {
  const Bytes milan = chip_of(64);
  EXPECT_TRUE(names_chip(milan, milan));
  Bytes other = milan;
  other.back() ^= 1;
  EXPECT_FALSE(names_chip(other, milan));

  const Bytes turin = chip_of(8);
  const Bytes hw(turin.begin(), turin.begin() + 8);
  EXPECT_TRUE(names_chip(hw, turin));
  EXPECT_TRUE(names_chip(turin, turin));    // the full 64 bytes name it too
  EXPECT_FALSE(names_chip(hw, milan));      // same first 8 bytes, but the rest is not zero
  EXPECT_FALSE(names_chip(Bytes(hw.begin(), hw.begin() + 7), turin));  // no such length
  EXPECT_FALSE(names_chip(Bytes(64, 0), Bytes(64, 0)));  // all zero names no chip
}

TEST(ChipIdentity, AsvkNames) {
  EXPECT_TRUE(is_asvk_name("SEV-VLEK-Milan"));
  EXPECT_TRUE(is_asvk_name("SEV-VLEK-Turin"));
  EXPECT_FALSE(is_asvk_name("SEV-Milan"));
  EXPECT_FALSE(is_asvk_name("ARK-Genoa"));
}

}  // namespace
}  // namespace veritee::snp
