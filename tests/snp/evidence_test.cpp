// Evidence detection: encodings, containers, sizes (issue 3 "veritee show" input forms).
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;

std::string own_hex(const Bytes& b, bool upper, std::size_t wrap) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    s.push_back(digits[b[i] >> 4]);
    s.push_back(digits[b[i] & 15]);
    if (wrap != 0 && (i + 1) % wrap == 0) s.push_back('\n');
  }
  s.push_back('\n');
  return s;
}

// Base64 through OpenSSL directly, wrapped at `wrap` characters (0: one line).
std::string own_base64(const Bytes& b, std::size_t wrap) {
  std::string out(4 * ((b.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(),
                          static_cast<int>(b.size()));
  out.resize(static_cast<std::size_t>(n));
  if (wrap == 0) return out + "\n";
  std::string wrapped;
  for (std::size_t i = 0; i < out.size(); i += wrap) wrapped += out.substr(i, wrap) + "\n";
  return wrapped;
}

Bytes text_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// A genuine raw binary report from the corpus.
std::optional<Bytes> reference_raw_report() {
  auto row = test::find_row([](const ManifestRow& r) {
    return r.oracle_pass() && r.base_encoding() == "binary" && r.container().empty();
  });
  if (!row) return std::nullopt;
  return test::read_corpus(row->report);
}

class Evidence : public testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    auto r = reference_raw_report();
    if (!r) GTEST_SKIP() << "no raw binary report in corpus";
    raw_ = *r;
    ASSERT_EQ(raw_.size(), kReportSize);
  }
  Bytes raw_;
};

TEST(ReportParse, SizeMustBeExact) {
  Bytes b(kReportSize, 0);
  b[0] = 2;
  EXPECT_TRUE(Report::parse(b).has_value());
  auto shorter = Report::parse(ByteView(b).first(kReportSize - 1));
  ASSERT_FALSE(shorter.has_value());
  EXPECT_EQ(shorter.error().code, Errc::kTruncated);
  auto empty = Report::parse(ByteView{});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, Errc::kTruncated);
  Bytes longer(kReportSize + 1, 0);
  auto over = Report::parse(longer);
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code, Errc::kInvalidInput);
}

TEST_F(Evidence, RawBinary) {
  auto ev = load_evidence(raw_);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->encoding, Encoding::kBinary);
  EXPECT_EQ(ev->container, Container::kRawReport);
  EXPECT_EQ(ev->report_offset, 0U);
  EXPECT_EQ(Bytes(ev->report_bytes().begin(), ev->report_bytes().end()), raw_);
}

TEST_F(Evidence, TruncatedRawIsTruncatedError) {
  auto ev = load_evidence(ByteView(raw_).first(kReportSize - 1));
  ASSERT_FALSE(ev.has_value()) << "accepted 0x49F bytes as " << ev->describe();
  EXPECT_EQ(ev.error().code, Errc::kTruncated) << ev.error().message;
}

TEST_F(Evidence, OversizedRawIsError) {
  for (std::uint8_t extra : {std::uint8_t{0}, std::uint8_t{0x41}}) {
    Bytes b = raw_;
    b.push_back(extra);
    auto ev = load_evidence(b);
    ASSERT_FALSE(ev.has_value()) << "accepted 0x4A1 bytes as " << ev->describe();
    EXPECT_EQ(ev.error().code, Errc::kInvalidInput) << ev.error().message;
  }
  Bytes before = raw_;
  before.insert(before.begin(), 0);
  EXPECT_FALSE(load_evidence(before).has_value()) << "a byte before the report";
}

TEST(EvidenceEmpty, EmptyAndGarbageAreErrors) {
  EXPECT_FALSE(load_evidence(ByteView{}).has_value());
  EXPECT_FALSE(load_evidence(as_bytes("hello, world\n")).has_value());
  EXPECT_FALSE(load_evidence(Bytes(100, 0)).has_value());
}

TEST_F(Evidence, HexTextIsDetected) {
  for (bool upper : {false, true}) {
    for (std::size_t wrap : {std::size_t{0}, std::size_t{32}}) {
      auto ev = load_evidence(text_bytes(own_hex(raw_, upper, wrap)));
      ASSERT_TRUE(ev.has_value()) << ev.error().message;
      EXPECT_EQ(ev->encoding, Encoding::kHex);
      EXPECT_EQ(ev->container, Container::kRawReport);
      EXPECT_EQ(Bytes(ev->report_bytes().begin(), ev->report_bytes().end()), raw_);
    }
  }
}

TEST_F(Evidence, Base64TextIsDetected) {
  for (std::size_t wrap : {std::size_t{0}, std::size_t{64}, std::size_t{76}}) {
    auto ev = load_evidence(text_bytes(own_base64(raw_, wrap)));
    ASSERT_TRUE(ev.has_value()) << ev.error().message;
    EXPECT_EQ(ev->encoding, Encoding::kBase64);
    EXPECT_EQ(ev->container, Container::kRawReport);
    EXPECT_EQ(Bytes(ev->report_bytes().begin(), ev->report_bytes().end()), raw_);
  }
}

TEST_F(Evidence, TruncatedTextIsError) {
  Bytes shorter(raw_.begin(), raw_.end() - 1);
  EXPECT_FALSE(load_evidence(text_bytes(own_hex(shorter, false, 0))).has_value());
  EXPECT_FALSE(load_evidence(text_bytes(own_base64(shorter, 0))).has_value());
  std::string odd = own_hex(raw_, false, 0);
  odd.insert(odd.begin(), 'a');  // an odd number of digits
  EXPECT_FALSE(load_evidence(text_bytes(odd)).has_value());
}

TEST(EvidenceNames, Describe) {
  EXPECT_EQ(to_string(Encoding::kBinary), "binary");
  EXPECT_EQ(to_string(Encoding::kHex), "hex");
  EXPECT_EQ(to_string(Encoding::kBase64), "base64");
  EXPECT_FALSE(to_string(Container::kRawReport).empty());
  EXPECT_NE(to_string(Container::kAzureHcl), to_string(Container::kMsgReportRsp));
}

// MSG_REPORT_RSP: the lit-sev-snp-utils sample (a kernel 4000-byte buffer).
class MsgReportRsp : public testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    auto row = test::find_row([](const ManifestRow& r) {
      return r.container() == "snp-msg-report-rsp";
    });
    if (!row) GTEST_SKIP() << "no MSG_REPORT_RSP in the corpus";
    rsp_ = test::decoded_input(*row);
    ASSERT_GE(rsp_.size(), 0x20 + kReportSize);
  }
  Bytes rsp_;
};

TEST_F(MsgReportRsp, DetectedAtOffset0x20) {
  auto ev = load_evidence(rsp_);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->container, Container::kMsgReportRsp);
  EXPECT_EQ(ev->report_offset, 0x20U);
  // The corpus has the report extracted independently.
  auto extracted_path = "lit-sev-snp-utils/extracted/snp_report_msg_resp.bin.raw_rsp.report.bin";
  if (std::filesystem::exists(test::corpus_path(extracted_path))) {
    Bytes extracted = test::read_corpus(extracted_path);
    EXPECT_EQ(Bytes(ev->report_bytes().begin(), ev->report_bytes().end()), extracted);
  }
  EXPECT_EQ(test::le32(rsp_, 0), 0U) << "status";
  EXPECT_EQ(test::le32(rsp_, 4), kReportSize) << "report_size";
}

TEST_F(MsgReportRsp, WithoutPaddingStillDetected) {
  Bytes exact(rsp_.begin(), rsp_.begin() + 0x20 + kReportSize);
  auto ev = load_evidence(exact);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->container, Container::kMsgReportRsp);
  EXPECT_EQ(ev->report_offset, 0x20U);
}

TEST_F(MsgReportRsp, BadHeaderOrPaddingRejected) {
  Bytes bad_status = rsp_;
  bad_status[0] = 0x16;  // firmware error status
  EXPECT_FALSE(load_evidence(bad_status).has_value()) << "non-zero status";
  Bytes bad_size = rsp_;
  bad_size[4] = 0xA1;  // report_size 0x4A1
  EXPECT_FALSE(load_evidence(bad_size).has_value()) << "report_size != 0x4A0";
  Bytes bad_reserved = rsp_;
  bad_reserved[0x10] = 1;
  EXPECT_FALSE(load_evidence(bad_reserved).has_value()) << "reserved bytes non-zero";
  if (rsp_.size() > 0x20 + kReportSize) {
    Bytes bad_pad = rsp_;
    bad_pad.back() = 1;
    EXPECT_FALSE(load_evidence(bad_pad).has_value()) << "non-zero trailing padding";
  }
  Bytes too_long = rsp_;
  too_long.resize(4001, 0);
  EXPECT_FALSE(load_evidence(too_long).has_value()) << "more than the 4000-byte buffer";
  Bytes cut(rsp_.begin(), rsp_.begin() + 0x20 + kReportSize - 1);
  EXPECT_FALSE(load_evidence(cut).has_value()) << "report cut short";
}

TEST_F(MsgReportRsp, Base64OfContainerDetected) {
  auto ev = load_evidence(text_bytes(own_base64(rsp_, 76)));
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->encoding, Encoding::kBase64);
  EXPECT_EQ(ev->container, Container::kMsgReportRsp);
  EXPECT_EQ(ev->report_offset, 0x20U);
}

}  // namespace
}  // namespace veritee::snp
