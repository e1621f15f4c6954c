// POLICY, PLATFORM_INFO and KEY_INFO bit decoding (DESIGN.md 3.1, 3.4).
#include <gtest/gtest.h>

#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/key_info.hpp"
#include "veritee/snp/platform_info.hpp"

namespace veritee::snp {
namespace {

std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }

TEST(GuestPolicy, AbiAndFlags) {
  GuestPolicy p(0x30000 | 0x1F05);  // SMT + reserved-one, ABI 31.5
  EXPECT_EQ(p.abi_major(), 0x1F);
  EXPECT_EQ(p.abi_minor(), 0x05);
  EXPECT_TRUE(p.smt());
  EXPECT_TRUE(p.reserved_one_set());
  EXPECT_FALSE(p.debug());
  EXPECT_FALSE(p.migrate_ma());
  EXPECT_EQ(p.mbz_bits(), 0U);
}

TEST(GuestPolicy, EachNamedBitIsIndependent) {
  struct {
    unsigned n;
    bool (GuestPolicy::*get)() const;
  } cases[] = {{16, &GuestPolicy::smt},           {18, &GuestPolicy::migrate_ma},
               {19, &GuestPolicy::debug},         {20, &GuestPolicy::single_socket},
               {24, &GuestPolicy::ciphertext_hiding}, {25, &GuestPolicy::page_swap_disable}};
  for (auto c : cases) {
    GuestPolicy only(bit(c.n));
    EXPECT_TRUE((only.*c.get)()) << "bit " << c.n;
    EXPECT_TRUE(only.has(c.n));
    GuestPolicy all_but(~bit(c.n));
    EXPECT_FALSE((all_but.*c.get)()) << "bit " << c.n;
  }
  EXPECT_TRUE(GuestPolicy(bit(GuestPolicy::kCxlAllow)).has(21));
  EXPECT_TRUE(GuestPolicy(bit(GuestPolicy::kMemAes256Xts)).has(22));
  EXPECT_TRUE(GuestPolicy(bit(GuestPolicy::kRaplDis)).has(23));
}

TEST(GuestPolicy, MbzIsBits26Up) {
  EXPECT_EQ(GuestPolicy(bit(25)).mbz_bits(), 0U);
  EXPECT_EQ(GuestPolicy(bit(26)).mbz_bits(), bit(26));
  EXPECT_EQ(GuestPolicy(bit(63)).mbz_bits(), bit(63));
  EXPECT_EQ(GuestPolicy(~std::uint64_t{0}).mbz_bits(), ~(bit(26) - 1));
}

TEST(GuestPolicy, NamedBitTable) {
  auto bits = GuestPolicy::bits();
  ASSERT_EQ(bits.size(), 10U) << "bits 16..25";
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(bits[i].bit, 16 + i);
    EXPECT_FALSE(bits[i].name.empty()) << "bit " << bits[i].bit;
  }
  EXPECT_EQ(bits[0].name, "SMT");
  EXPECT_EQ(bits[2].name, "MIGRATE_MA");
  EXPECT_EQ(bits[3].name, "DEBUG");
  EXPECT_EQ(bits[4].name, "SINGLE_SOCKET");
  EXPECT_EQ(bits[5].name, "CXL_ALLOW");
  EXPECT_EQ(bits[6].name, "MEM_AES_256_XTS");
  EXPECT_EQ(bits[7].name, "RAPL_DIS");
  EXPECT_NE(bits[8].name.find("CIPHERTEXT_HIDING"), std::string_view::npos);
  EXPECT_EQ(bits[9].name, "PAGE_SWAP_DISABLE");
}

TEST(PlatformInfo, BitsAndReserved) {
  PlatformInfo p(0b1010'0101);
  EXPECT_TRUE(p.has(PlatformInfo::kSmtEn));
  EXPECT_FALSE(p.has(PlatformInfo::kTsmeEn));
  EXPECT_TRUE(p.has(PlatformInfo::kEccEn));
  EXPECT_TRUE(p.has(PlatformInfo::kAliasCheckComplete));
  EXPECT_TRUE(p.has(PlatformInfo::kTioEn));
  EXPECT_EQ(p.reserved_bits(), 0U);
  EXPECT_EQ(PlatformInfo(bit(6)).reserved_bits(), 0U) << "bit 6 is named, not reserved";
  EXPECT_EQ(PlatformInfo(bit(8) | 1).reserved_bits(), bit(8));
  EXPECT_EQ(PlatformInfo(bit(63)).reserved_bits(), bit(63));
}

TEST(PlatformInfo, NamedBitTable) {
  auto bits = PlatformInfo::bits();
  ASSERT_EQ(bits.size(), 8U) << "bits 0..7";
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(bits[i].bit, i);
    EXPECT_FALSE(bits[i].name.empty());
  }
  EXPECT_EQ(bits[0].name, "SMT_EN");
  EXPECT_EQ(bits[1].name, "TSME_EN");
  EXPECT_EQ(bits[2].name, "ECC_EN");
  EXPECT_EQ(bits[3].name, "RAPL_DIS");
  EXPECT_EQ(bits[4].name, "CIPHERTEXT_HIDING_DRAM_EN");
  EXPECT_EQ(bits[5].name, "ALIAS_CHECK_COMPLETE");
  EXPECT_EQ(bits[7].name, "TIO_EN");
}

TEST(KeyInfo, SigningKeyValues) {
  auto with_key = [](unsigned v) { return KeyInfo(v << 2); };
  EXPECT_EQ(with_key(0).signing_key(), SigningKey::kVcek);
  EXPECT_EQ(with_key(1).signing_key(), SigningKey::kVlek);
  EXPECT_EQ(with_key(7).signing_key(), SigningKey::kNone);
  for (unsigned v = 2; v <= 6; ++v) {
    EXPECT_FALSE(with_key(v).signing_key().has_value()) << "reserved value " << v;
    EXPECT_EQ(with_key(v).signing_key_field(), v);
  }
}

TEST(KeyInfo, FlagsAndMbz) {
  KeyInfo k(0b00111);  // AUTHOR_KEY_EN, MASK_CHIP_KEY, SIGNING_KEY 1
  EXPECT_TRUE(k.author_key_en());
  EXPECT_TRUE(k.mask_chip_key());
  EXPECT_EQ(k.signing_key(), SigningKey::kVlek);
  EXPECT_EQ(k.mbz_bits(), 0U);
  EXPECT_EQ(KeyInfo(1U << 5).mbz_bits(), 1U << 5);
  EXPECT_EQ(KeyInfo(0x80000000U).mbz_bits(), 0x80000000U);
  EXPECT_FALSE(KeyInfo(0).author_key_en());
  EXPECT_FALSE(KeyInfo(0).mask_chip_key());
}

TEST(KeyInfo, Names) {
  EXPECT_EQ(to_string(SigningKey::kVcek), "VCEK");
  EXPECT_EQ(to_string(SigningKey::kVlek), "VLEK");
  EXPECT_EQ(to_string(SigningKey::kNone), "none");
}

}  // namespace
}  // namespace veritee::snp
