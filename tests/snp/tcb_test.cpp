// TCB_VERSION layouts (DESIGN.md 3.2): the product decides the byte positions, never the
// report version.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/tcb_version.hpp"

namespace veritee::snp {
namespace {

// Bytes 0..7 = 0x11, 0x22, ..., 0x88 so every position is recognizable.
constexpr std::uint64_t kDistinct = 0x8877665544332211ULL;

TEST(TcbVersion, MilanAndGenoaLayout) {
  for (Product p : {Product::kMilan, Product::kGenoa}) {
    TcbParts parts = TcbVersion(kDistinct).decode(p);
    EXPECT_EQ(parts.boot_loader, 0x11) << to_string(p);
    EXPECT_EQ(parts.tee, 0x22) << to_string(p);
    EXPECT_EQ(parts.snp, 0x77) << to_string(p);
    EXPECT_EQ(parts.microcode, 0x88) << to_string(p);
    EXPECT_FALSE(parts.fmc.has_value()) << to_string(p) << " has no FMC";
  }
}

TEST(TcbVersion, TurinLayout) {
  TcbParts parts = TcbVersion(kDistinct).decode(Product::kTurin);
  ASSERT_TRUE(parts.fmc.has_value());
  EXPECT_EQ(*parts.fmc, 0x11);
  EXPECT_EQ(parts.boot_loader, 0x22);
  EXPECT_EQ(parts.tee, 0x33);
  EXPECT_EQ(parts.snp, 0x44);
  EXPECT_EQ(parts.microcode, 0x88);
}

TEST(TcbVersion, ByteAccessor) {
  TcbVersion t(kDistinct);
  for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(t.byte(i), 0x11 * (i + 1)) << i;
}

TEST(TcbVersion, ReservedBytesPerProduct) {
  // Milan/Genoa reserve bytes 2..5, Turin bytes 4..6.
  for (unsigned i = 0; i < 8; ++i) {
    TcbVersion one_byte(std::uint64_t{0x5A} << (8 * i));
    bool milan_reserved = i >= 2 && i <= 5;
    bool turin_reserved = i >= 4 && i <= 6;
    EXPECT_EQ(one_byte.reserved_clear(Product::kMilan), !milan_reserved) << "byte " << i;
    EXPECT_EQ(one_byte.reserved_clear(Product::kGenoa), !milan_reserved) << "byte " << i;
    EXPECT_EQ(one_byte.reserved_clear(Product::kTurin), !turin_reserved) << "byte " << i;
  }
  EXPECT_TRUE(TcbVersion(0).reserved_clear(Product::kTurin));
}

TEST(TcbVersion, EncodePlacesPartsAtDocumentedBytes) {
  TcbParts milan{std::nullopt, 3, 0, 8, 115};
  EXPECT_EQ(TcbVersion::encode(Product::kMilan, milan).raw(), 0x7308000000000003ULL);
  TcbParts turin{std::uint8_t{1}, 2, 3, 4, 0x51};
  EXPECT_EQ(TcbVersion::encode(Product::kTurin, turin).raw(), 0x5100000004030201ULL);
}

TEST(TcbVersion, EncodeDecodeRoundTrip) {
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    TcbParts parts{p == Product::kTurin ? std::optional<std::uint8_t>(9) : std::nullopt, 7, 1, 24,
                   0xDB};
    TcbVersion t = TcbVersion::encode(p, parts);
    EXPECT_TRUE(t.reserved_clear(p));
    EXPECT_EQ(t.decode(p), parts) << to_string(p);
  }
}

TEST(TcbParts, AtLeast) {
  TcbParts base{std::nullopt, 3, 0, 8, 115};
  EXPECT_TRUE(base.at_least(base));
  TcbParts higher_ucode = base;
  higher_ucode.microcode = 200;
  EXPECT_TRUE(higher_ucode.at_least(base));
  EXPECT_FALSE(base.at_least(higher_ucode));
  TcbParts lower_snp = base;
  lower_snp.snp = 7;
  EXPECT_FALSE(lower_snp.at_least(base));
  // A higher SPL elsewhere does not make up for a lower one.
  TcbParts mixed = lower_snp;
  mixed.boot_loader = 9;
  EXPECT_FALSE(mixed.at_least(base));
  // FMC compared only where both have it.
  TcbParts turin_low{std::uint8_t{0}, 3, 0, 8, 115};
  TcbParts turin_high{std::uint8_t{2}, 3, 0, 8, 115};
  EXPECT_FALSE(turin_low.at_least(turin_high));
  EXPECT_TRUE(turin_high.at_least(turin_low));
  EXPECT_TRUE(turin_low.at_least(base));
}

TEST(TcbParts, ToStringNamesEverySpl) {
  TcbParts milan{std::nullopt, 3, 0, 8, 115};
  EXPECT_EQ(milan.to_string(), "bl=3 tee=0 snp=8 ucode=115");
  TcbParts turin{std::uint8_t{1}, 3, 0, 8, 115};
  EXPECT_EQ(turin.to_string(), "fmc=1 bl=3 tee=0 snp=8 ucode=115");
}

// The bug class of DESIGN.md 3.2: a Turin report read with the Milan layout gives plausible but
// wrong numbers.
TEST(TcbVersion, TurinCorpusReportDiffersUnderMilanLayout) {
  VERITEE_REQUIRE_CORPUS();
  auto row = test::find_row([](const test::ManifestRow& r) {
    return r.product == "turin" && r.container().empty() && r.base_encoding() == "binary";
  });
  if (!row) GTEST_SKIP() << "no Turin report in the corpus";
  Bytes b = test::report_bytes_of(*row);
  auto report = Report::parse(b);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  for (TcbVersion tcb : {report->reported_tcb(), report->current_tcb(), report->committed_tcb(),
                         report->launch_tcb()}) {
    TcbParts turin = tcb.decode(Product::kTurin);
    TcbParts milan = tcb.decode(Product::kMilan);
    EXPECT_NE(turin, milan) << "raw 0x" << std::hex << tcb.raw();
    EXPECT_TRUE(tcb.reserved_clear(Product::kTurin)) << "raw 0x" << std::hex << tcb.raw();
    // Independently from the table: Turin SNP SPL is byte 3.
    EXPECT_EQ(turin.snp, static_cast<std::uint8_t>(tcb.raw() >> 24));
  }
  TcbParts reported = report->reported_tcb().decode(Product::kTurin);
  EXPECT_EQ(reported.fmc, b[0x180]);
  EXPECT_EQ(reported.boot_loader, b[0x181]);
  EXPECT_EQ(reported.tee, b[0x182]);
  EXPECT_EQ(reported.snp, b[0x183]);
  EXPECT_EQ(reported.microcode, b[0x187]);
}

}  // namespace
}  // namespace veritee::snp
