// ByteReader: every read is bounds-checked and little endian (the BoringSSL CBS pattern).
#include <gtest/gtest.h>

#include "veritee/common/byte_reader.hpp"

namespace veritee {
namespace {

const Bytes kSample = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B};

TEST(ByteReader, ReadsLittleEndianInOrder) {
  ByteReader r(kSample);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0302);
  EXPECT_EQ(r.u32(), 0x07060504U);
  EXPECT_EQ(r.offset(), 7U);
  EXPECT_EQ(r.remaining(), 4U);
  EXPECT_FALSE(r.u64().has_value()) << "only 4 bytes remain";
  EXPECT_EQ(r.offset(), 7U) << "a failed read must not advance";
  EXPECT_EQ(r.u32(), 0x0B0A0908U);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8().has_value());
}

TEST(ByteReader, U64IsLittleEndian) {
  ByteReader r(kSample);
  EXPECT_EQ(r.u64(), 0x0807060504030201ULL);
}

TEST(ByteReader, HighBitsSurviveWidening) {
  const Bytes ff(8, 0xFF);
  ByteReader r(ff);
  EXPECT_EQ(r.le_at<std::uint64_t>(0), 0xFFFFFFFFFFFFFFFFULL);
  EXPECT_EQ(r.le_at<std::uint32_t>(4), 0xFFFFFFFFU);
  EXPECT_EQ(r.le_at<std::uint16_t>(6), 0xFFFF);
}

TEST(ByteReader, BytesAndSkipAreBounded) {
  ByteReader r(kSample);
  auto first = r.bytes(3);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->size(), 3U);
  EXPECT_EQ((*first)[2], 0x03);
  EXPECT_FALSE(r.bytes(9).has_value());
  EXPECT_EQ(r.offset(), 3U);
  EXPECT_TRUE(r.skip(8));
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.skip(1));
  auto none = r.bytes(0);
  ASSERT_TRUE(none.has_value()) << "zero bytes at the end is a valid read";
  EXPECT_TRUE(none->empty());
}

TEST(ByteReader, SeekWithinAndToEndOnly) {
  ByteReader r(kSample);
  EXPECT_TRUE(r.seek(kSample.size()));
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.seek(kSample.size() + 1));
  EXPECT_EQ(r.offset(), kSample.size());
  EXPECT_TRUE(r.seek(9));
  EXPECT_EQ(r.u16(), 0x0B0A);
}

TEST(ByteReader, RandomAccessDoesNotMoveCursor) {
  ByteReader r(kSample);
  EXPECT_EQ(r.le_at<std::uint32_t>(7), 0x0B0A0908U);
  EXPECT_FALSE(r.le_at<std::uint32_t>(8).has_value());
  EXPECT_FALSE(r.le_at<std::uint8_t>(11).has_value());
  EXPECT_EQ(r.offset(), 0U);
  auto tail = r.bytes_at(10, 1);
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ((*tail)[0], 0x0B);
  EXPECT_FALSE(r.bytes_at(10, 2).has_value());
  EXPECT_TRUE(r.bytes_at(11, 0).has_value());
  EXPECT_FALSE(r.bytes_at(12, 0).has_value());
}

TEST(ByteReader, HugeOffsetsDoNotOverflow) {
  ByteReader r(kSample);
  constexpr std::size_t kMax = static_cast<std::size_t>(-1);
  EXPECT_FALSE(r.le_at<std::uint32_t>(kMax).has_value());
  EXPECT_FALSE(r.le_at<std::uint32_t>(kMax - 2).has_value());
  EXPECT_FALSE(r.bytes_at(4, kMax).has_value());
  EXPECT_FALSE(r.bytes_at(kMax, 1).has_value());
  EXPECT_FALSE(r.bytes(kMax).has_value());
  EXPECT_FALSE(r.seek(kMax));
}

TEST(ByteReader, EmptyInput) {
  ByteReader r(ByteView{});
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8().has_value());
  EXPECT_FALSE(r.le_at<std::uint8_t>(0).has_value());
  EXPECT_TRUE(r.seek(0));
}

}  // namespace
}  // namespace veritee
