// Policy values from command-line text (verify/policy_values.hpp): hex of an exact size, TCB
// minimums as SPLs or a raw TCB_VERSION, versions, POLICY bit names.
#include <gtest/gtest.h>

#include "veritee/snp/guest_policy.hpp"
#include "veritee/verify/policy_values.hpp"

namespace veritee::verify {
namespace {

TEST(FieldHex, CaseInsensitiveWithOrWithout0x) {
  for (const char* text : {"0a0B", "0x0a0b", "0X0A0B", " 0a0b\n"}) {
    auto b = field_hex(text, {2});
    ASSERT_TRUE(b) << text << ": " << b.error().message;
    EXPECT_EQ(*b, (Bytes{0x0a, 0x0b})) << text;
  }
}

TEST(FieldHex, WrongLengthNamesTheExpectedOne) {
  auto b = field_hex(std::string(94, 'a'), {48});
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("expected 48 bytes (96 hex digits), got 47 bytes"), std::string::npos)
      << b.error().message;
  EXPECT_TRUE(field_hex(std::string(16, 'a'), {64, 8}));
  EXPECT_FALSE(field_hex("zz", {1}));
  EXPECT_FALSE(field_hex("abc", {2}));  // odd digit count
}

TEST(TcbMinimumText, NamedSpls) {
  auto r = tcb_minimum_text("bl=3, tee=0,snp=8,ucode=115,FMC=1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->all.bl, 3);
  EXPECT_EQ(r->all.tee, 0);
  EXPECT_EQ(r->all.snp, 8);
  EXPECT_EQ(r->all.ucode, 115);
  EXPECT_EQ(r->all.fmc, 1);
  EXPECT_TRUE(r->per_product.empty());
  auto only = tcb_minimum_text("snp=8");
  ASSERT_TRUE(only);
  EXPECT_FALSE(only->all.bl);
  for (const char* bad : {"snp=256", "snp=8,snp=9", "spl=1", "snp", "snp=-1", "bl=3,", ""}) {
    EXPECT_FALSE(tcb_minimum_text(bad)) << bad;
  }
}

TEST(TcbMinimumText, RawValueIsDecodedPerProductLayout) {
  // Milan/Genoa: byte 0 BL, 1 TEE, 6 SNP, 7 UCODE (bytes 2-5 reserved).
  auto milan = tcb_minimum_text("0x7300000000000003");
  ASSERT_TRUE(milan) << milan.error().message;
  ASSERT_TRUE(milan->per_product.contains(snp::Product::kMilan));
  EXPECT_EQ(milan->per_product.at(snp::Product::kMilan).bl, 3);
  EXPECT_EQ(milan->per_product.at(snp::Product::kMilan).ucode, 0x73);
  EXPECT_TRUE(milan->all.empty());
  // The bundled Turin sample's REPORTED_TCB: byte 3 SNP=4 is reserved under Milan's layout.
  auto turin = tcb_minimum_text("5100000004010101");
  ASSERT_TRUE(turin) << turin.error().message;
  EXPECT_FALSE(turin->per_product.contains(snp::Product::kMilan));
  ASSERT_TRUE(turin->per_product.contains(snp::Product::kTurin));
  const TcbMinimum& t = turin->per_product.at(snp::Product::kTurin);
  EXPECT_EQ(t.fmc, 1);
  EXPECT_EQ(t.bl, 1);
  EXPECT_EQ(t.tee, 1);
  EXPECT_EQ(t.snp, 4);
  EXPECT_EQ(t.ucode, 0x51);
  EXPECT_FALSE(tcb_minimum_text("51000000040101"));     // 14 digits
  EXPECT_FALSE(tcb_minimum_text("ffffffffffffffff"));   // reserved bytes set under every layout
}

TEST(VersionText, MajorMinorAndBuild) {
  bool build = true;
  auto v = version_text("1.55", &build);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 1);
  EXPECT_EQ(v->minor, 55);
  EXPECT_FALSE(build);
  v = version_text("1.55.21", &build);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->build, 21);
  EXPECT_TRUE(build);
  for (const char* bad : {"1", "1.2.3.4", "1.256", "a.b", "1..2"}) EXPECT_FALSE(version_text(bad, &build)) << bad;
}

TEST(NamedBit, ShowsNamesAndAbiNames) {
  auto bit = named_bit(snp::GuestPolicy::bits(), "page_swap_disable");
  ASSERT_TRUE(bit) << bit.error().message;
  EXPECT_EQ(bit->name, "PAGE_SWAP_DISABLE");
  EXPECT_EQ(bit->bit, 25U);
  auto bad = named_bit(snp::GuestPolicy::bits(), "swap");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("known: SMT"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace veritee::verify
