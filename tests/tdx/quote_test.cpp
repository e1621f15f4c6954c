// The quote parser over every quote of the DCAP corpus, and named errors from real bytes.
#include <gtest/gtest.h>

#include "support/dcap_corpus.hpp"
#include "veritee/common/byte_reader.hpp"
#include "veritee/tdx/quote.hpp"

namespace veritee::tdx {
namespace {

using test::dcap::Row;

Bytes quote_bytes(const Row& row) {
  Bytes raw = test::dcap::read_corpus(row.quote);
  auto in = load_quote(raw);
  EXPECT_TRUE(in) << row.quote << ": " << (in ? "" : in.error().message);
  return in ? Bytes(in->quote.bytes().begin(), in->quote.bytes().end()) : Bytes{};
}

class CorpusQuote : public testing::TestWithParam<Row> {};

TEST_P(CorpusQuote, ParsesAsTheManifestSays) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  Bytes raw = test::dcap::read_corpus(row.quote);
  auto in = load_quote(raw);
  ASSERT_TRUE(in) << in.error().message;
  const Quote& q = in->quote;
  EXPECT_EQ(in->encoding, row.quote.ends_with(".hex") ? "hex" : "binary");
  EXPECT_EQ(q.header().version, row.version);
  EXPECT_EQ(q.tee(), row.tee == "sgx" ? Tee::kSgx : Tee::kTdx);
  EXPECT_EQ(q.header().attestation_key_type, kAttestationKeyEcdsaP256);
  EXPECT_EQ(to_hex(q.header().qe_vendor_id), "939a7233f79c4ca9940a0db3957f0607");
  if (q.tee() == Tee::kSgx) {
    ASSERT_TRUE(q.enclave_body());
    EXPECT_FALSE(q.td_body());
    EXPECT_EQ(q.signed_bytes().size(), kHeaderSize + kEnclaveReportSize);
  } else {
    ASSERT_TRUE(q.td_body());
    EXPECT_FALSE(q.enclave_body());
    const bool td15 = q.body_kind() == BodyKind::kTd15;
    EXPECT_EQ(td15, q.td_body()->mr_servicetd.has_value());
    EXPECT_EQ(q.signed_bytes().size(),
              kHeaderSize + (q.header().version == 5 ? 6 : 0) +
                  (td15 ? kTdReport15Size : kTdReport10Size));
    if (q.header().version == 4) {
      EXPECT_FALSE(q.body_type());
    }
    if (q.header().version == 5) {
      EXPECT_TRUE(q.body_type());
    }
    ASSERT_TRUE(q.outer_certification());
    EXPECT_EQ(q.outer_certification()->type, kCertDataQeReportCertData);
  }
  EXPECT_EQ(q.certification().type, kCertDataPckChain);
  EXPECT_NE(q.pck_chain_pem().find("-----BEGIN CERTIFICATE-----"), std::string_view::npos);
  EXPECT_EQ(q.signature().size(), 64u);
  EXPECT_EQ(q.attestation_key().size(), 64u);
  EXPECT_EQ(q.qe_report().bytes.size(), kEnclaveReportSize);
  // The views point into the bytes given, which are kept whole (padding included).
  Bytes decoded(q.bytes().begin(), q.bytes().end());
  if (in->encoding == "binary") {
    EXPECT_EQ(decoded, raw);
  }
  EXPECT_EQ(q.signed_bytes().data(), q.bytes().data());
  EXPECT_EQ(q.size() + q.trailing(), q.bytes().size());
  EXPECT_EQ(q.layout().end, q.size());
  if (row.quote.find("cos-113") != std::string::npos) {
    EXPECT_EQ(q.bytes().size(), 8000u);  // the kernel's buffer, zero after the quote
    EXPECT_GT(q.trailing(), 0u);
  }
  // go-tdx-guest's test quote has text appended on purpose; every other trailing byte is zero.
  EXPECT_EQ(q.trailing_is_zero(), row.quote.find("SPR_E4") == std::string::npos);
  EXPECT_EQ(q.trailing_note().empty(), q.trailing() == 0);
  // A copy shares the bytes: its views stay valid after the original is gone.
  std::optional<Quote> copy;
  {
    Quote tmp = q;
    copy = tmp;
  }
  EXPECT_EQ(to_hex(copy->report_data()), to_hex(q.report_data()));
  EXPECT_TRUE(looks_like_quote(q.bytes()));
}

TEST_P(CorpusQuote, TruncatedAtEveryStructureBoundaryIsTruncated) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  Bytes bytes = quote_bytes(row);
  auto q = Quote::parse(bytes);
  ASSERT_TRUE(q);
  const auto& l = q->layout();
  std::vector<std::size_t> cuts = {0,
                                   2,
                                   kHeaderSize - 1,
                                   kHeaderSize,
                                   l.body + 1,
                                   l.signature_data,
                                   l.signature_data + 4,
                                   l.signature_data + 4 + 64,
                                   l.signature_data + 4 + 128,
                                   l.qe_report,
                                   l.qe_report + kEnclaveReportSize,
                                   l.qe_auth_data,
                                   l.qe_auth_data + 2,
                                   l.certification,
                                   l.certification + 6,
                                   l.end - 1};
  for (std::size_t cut : cuts) {
    auto r = Quote::parse(ByteView(bytes).first(cut));
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_EQ(r.error().code, Errc::kTruncated) << cut << ": " << r.error().message;
    EXPECT_NE(r.error().message.find("truncated quote"), std::string::npos);
  }
}

TEST_P(CorpusQuote, UnknownFieldsAreNamedErrors) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  Bytes good = quote_bytes(row);
  auto q = Quote::parse(good);
  ASSERT_TRUE(q);
  auto parse_with = [&](std::size_t at, std::uint8_t value) {
    Bytes b = good;
    b[at] = value;
    return Quote::parse(b);
  };
  auto v = parse_with(0, 6);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::kUnknownVersion);
  EXPECT_NE(v.error().message.find("quote version 6"), std::string::npos);

  auto k = parse_with(2, 3);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, Errc::kUnsupported);
  EXPECT_NE(k.error().message.find("attestation key type 3"), std::string::npos);

  auto t = parse_with(4, 0x82);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::kUnsupported);
  EXPECT_NE(t.error().message.find("TEE type 0x00000082"), std::string::npos);

  auto c = parse_with(q->layout().certification, 4);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, Errc::kUnsupported);
  EXPECT_NE(c.error().message.find("certification data type 4"), std::string::npos);

  if (q->header().version >= 4) {
    // The outer certification data type (6) sits just after the signature and key.
    auto o = parse_with(q->layout().signature_data + 4 + 128, 5);
    ASSERT_FALSE(o);
    EXPECT_EQ(o.error().code, Errc::kUnsupported);
    EXPECT_NE(o.error().message.find("certification data type 5"), std::string::npos);
  }
  if (q->header().version == 5) {
    auto bt = parse_with(kHeaderSize, 9);
    ASSERT_FALSE(bt);
    EXPECT_EQ(bt.error().code, Errc::kUnsupported);
    EXPECT_NE(bt.error().message.find("body type 9"), std::string::npos);
  }
}

TEST_P(CorpusQuote, TrailingBytesAreKeptAndReported) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  Bytes good = quote_bytes(row);
  auto q = Quote::parse(good);
  ASSERT_TRUE(q);
  Bytes exact(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(q->size()));
  auto e = Quote::parse(exact);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->trailing(), 0u);
  EXPECT_EQ(e->trailing_note(), "");
  Bytes padded = exact;
  padded.resize(8000, 0);
  auto p = Quote::parse(padded);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->trailing(), 8000 - exact.size());
  EXPECT_TRUE(p->trailing_is_zero());
  EXPECT_NE(p->trailing_note().find("zero padding"), std::string::npos);
  EXPECT_EQ(to_hex(p->quote_bytes()), to_hex(exact));
  EXPECT_EQ(to_hex(p->bytes()), to_hex(padded));  // kept, never dropped
  padded.back() = 1;
  auto other = Quote::parse(padded);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->trailing_is_zero());
  EXPECT_NE(other->trailing_note().find("not zero padding"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Dcap, CorpusQuote, testing::ValuesIn(test::dcap::distinct_quotes()),
                         test::dcap::RowName{});

TEST(Quote, Base64AndHexInputDecodeToTheSameQuote) {
  auto rows = test::dcap::distinct_quotes();
  VERITEE_REQUIRE_DCAP_CORPUS(rows.front());
  Bytes raw = test::dcap::read_corpus("dcap-qvl/sample/tdx_quote");
  auto b64 = to_base64(raw);
  auto hex = to_hex(raw);
  auto a = load_quote(as_bytes(b64));
  auto h = load_quote(as_bytes(hex));
  ASSERT_TRUE(a && h);
  EXPECT_EQ(a->encoding, "base64");
  EXPECT_EQ(h->encoding, "hex");
  EXPECT_EQ(to_hex(a->quote.bytes()), hex);
  EXPECT_EQ(to_hex(h->quote.bytes()), hex);
}

TEST(Quote, AnSnpReportDoesNotLookLikeAQuote) {
  Bytes report(0x4A0, 0);
  report[0] = 3;  // SNP report version 3: its u16 at offset 2 is zero, not key type 2
  EXPECT_FALSE(looks_like_quote(report));
  EXPECT_FALSE(looks_like_quote(Bytes{}));
  auto empty = Quote::parse(Bytes{});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::kTruncated);
}

}  // namespace
}  // namespace veritee::tdx
