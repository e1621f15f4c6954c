// Every report of the corpus manifest: detected, parsed, and its fields equal to the manifest and
// to the bytes read independently of the library's reader.
#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;

std::string own_hex(ByteView b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (auto c : b) {
    s.push_back(digits[c >> 4]);
    s.push_back(digits[c & 15]);
  }
  return s;
}

class CorpusReport : public testing::TestWithParam<ManifestRow> {};

TEST_P(CorpusReport, LoadsWithManifestEncodingAndContainer) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes file = test::read_corpus(row.report);
  auto ev = load_evidence(file);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(to_string(ev->encoding), row.base_encoding()) << ev->describe();
  Container want = Container::kRawReport;
  if (row.container() == "azure-hcl-report") want = Container::kAzureHcl;
  if (row.container() == "snp-msg-report-rsp") want = Container::kMsgReportRsp;
  EXPECT_EQ(ev->container, want) << ev->describe();
  EXPECT_EQ(ev->report_offset, row.report_offset()) << ev->describe();
  EXPECT_FALSE(ev->describe().empty());
}

TEST_P(CorpusReport, RoundTripReportBytesEqualInput) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes file = test::read_corpus(row.report);
  auto ev = load_evidence(file);
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  // Decoded independently of the library (tests/support decodes hex/base64 on its own).
  Bytes decoded = test::decoded_input(row);
  EXPECT_EQ(ev->data, decoded);
  Bytes expected = test::report_bytes_of(row);
  ASSERT_EQ(ev->report_bytes().size(), kReportSize);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), ev->report_bytes().begin()))
      << "report bytes differ from the input's bytes at offset " << row.report_offset();
  if (row.base_encoding() == "binary" && row.container().empty()) {
    EXPECT_EQ(Bytes(ev->report_bytes().begin(), ev->report_bytes().end()), file);
  }
  auto report = ev->report();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(Bytes(report->bytes().begin(), report->bytes().end()), expected);
  EXPECT_EQ(report->signed_bytes().size(), kSignedSize);
  EXPECT_EQ(report->signed_bytes().data(), report->bytes().data()) << "a view, not a copy";
}

TEST_P(CorpusReport, VersionKeyAndProductMatchManifest) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes bytes = test::report_bytes_of(row);
  auto report = Report::parse(bytes);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->version(), static_cast<std::uint32_t>(row.version));
  EXPECT_EQ(report->version_known(), row.version >= 2 && row.version <= 5);

  auto key = report->key_info().signing_key();
  ASSERT_TRUE(key.has_value()) << "SIGNING_KEY field " << report->key_info().signing_key_field();
  EXPECT_EQ(to_string(*key), row.key);
  EXPECT_EQ(*key == SigningKey::kVlek, row.key == "VLEK");

  auto cp = report->cpuid_product();
  if (row.version >= 3) {
    ASSERT_TRUE(cp.has_value()) << "v3+ reports carry CPUID";
    ASSERT_TRUE(cp->has_value()) << cp->error().message;
    if (auto want = row.product_value()) {
      EXPECT_EQ((*cp)->product, *want);
    }
    // Independently: family/model bytes at 0x188/0x189.
    auto cpuid = report->cpuid();
    ASSERT_TRUE(cpuid.has_value());
    EXPECT_EQ(cpuid->family, bytes[0x188]);
    EXPECT_EQ(cpuid->model, bytes[0x189]);
    EXPECT_EQ(cpuid->stepping, bytes[0x18A]);
  } else {
    EXPECT_FALSE(cp.has_value()) << "v2 (and older) reports carry no CPUID";
    EXPECT_FALSE(report->cpuid().has_value());
  }
}

TEST_P(CorpusReport, AccessorsReadTheDocumentedOffsets) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes b = test::report_bytes_of(row);
  auto r = Report::parse(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto span_at = [&](std::size_t off, std::size_t n) { return Bytes(b.begin() + off, b.begin() + off + n); };
  auto as_vec = [](ByteView v) { return Bytes(v.begin(), v.end()); };
  EXPECT_EQ(r->guest_svn(), test::le32(b, 0x004));
  EXPECT_EQ(r->policy().raw(), test::le64(b, 0x008));
  EXPECT_EQ(as_vec(r->family_id()), span_at(0x010, 16));
  EXPECT_EQ(as_vec(r->image_id()), span_at(0x020, 16));
  EXPECT_EQ(r->vmpl(), test::le32(b, 0x030));
  EXPECT_EQ(r->signature_algo(), test::le32(b, 0x034));
  EXPECT_EQ(r->current_tcb().raw(), test::le64(b, 0x038));
  EXPECT_EQ(r->platform_info().raw(), test::le64(b, 0x040));
  EXPECT_EQ(r->key_info().raw(), test::le32(b, 0x048));
  EXPECT_EQ(as_vec(r->report_data()), span_at(0x050, 64));
  EXPECT_EQ(as_vec(r->measurement()), span_at(0x090, 48));
  EXPECT_EQ(as_vec(r->host_data()), span_at(0x0C0, 32));
  EXPECT_EQ(as_vec(r->id_key_digest()), span_at(0x0E0, 48));
  EXPECT_EQ(as_vec(r->author_key_digest()), span_at(0x110, 48));
  EXPECT_EQ(as_vec(r->report_id()), span_at(0x140, 32));
  EXPECT_EQ(as_vec(r->report_id_ma()), span_at(0x160, 32));
  EXPECT_EQ(r->reported_tcb().raw(), test::le64(b, 0x180));
  EXPECT_EQ(as_vec(r->chip_id()), span_at(0x1A0, 64));
  EXPECT_EQ(r->committed_tcb().raw(), test::le64(b, 0x1E0));
  // Byte order build, minor, major (DESIGN.md 3.1).
  EXPECT_EQ(r->current_version().build, b[0x1E8]);
  EXPECT_EQ(r->current_version().minor, b[0x1E9]);
  EXPECT_EQ(r->current_version().major, b[0x1EA]);
  EXPECT_EQ(r->committed_version().build, b[0x1EC]);
  EXPECT_EQ(r->committed_version().minor, b[0x1ED]);
  EXPECT_EQ(r->committed_version().major, b[0x1EE]);
  EXPECT_EQ(r->current_version().to_string(),
            std::to_string(b[0x1EA]) + "." + std::to_string(b[0x1E9]) + "." +
                std::to_string(b[0x1E8]));
  EXPECT_EQ(r->launch_tcb().raw(), test::le64(b, 0x1F0));
  if (row.version >= 5) {
    EXPECT_EQ(r->launch_mit_vector(), test::le64(b, 0x1F8));
    EXPECT_EQ(r->current_mit_vector(), test::le64(b, 0x200));
  } else {
    EXPECT_FALSE(r->launch_mit_vector().has_value());
    EXPECT_FALSE(r->current_mit_vector().has_value());
  }
  EXPECT_EQ(as_vec(r->signature_r()), span_at(0x2A0, 72));
  EXPECT_EQ(as_vec(r->signature_s()), span_at(0x2E8, 72));
}

TEST_P(CorpusReport, JsonHasDocumentedKeysAndValues) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes b = test::report_bytes_of(row);
  auto r = Report::parse(b);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  auto ctx = decide_product(*r, row.version < 3 ? row.product_value() : std::nullopt,
                               std::nullopt);
  auto j = report_to_json(*r, ctx);
  ASSERT_TRUE(j.is_object());
  for (const char* key : {"version", "product", "measurement", "report_data", "host_data",
                          "chip_id", "reported_tcb", "policy", "signing_key"}) {
    EXPECT_TRUE(j.contains(key)) << "missing key " << key << " in " << j.dump();
  }
  EXPECT_EQ(j.value("version", -1), row.version);
  EXPECT_EQ(j.value("measurement", ""), own_hex(ByteView(b).subspan(0x090, 48)));
  EXPECT_EQ(j.value("report_data", ""), own_hex(ByteView(b).subspan(0x050, 64)));
  EXPECT_EQ(j.value("host_data", ""), own_hex(ByteView(b).subspan(0x0C0, 32)));
  EXPECT_EQ(j.value("chip_id", ""), own_hex(ByteView(b).subspan(0x1A0, 64)));
  EXPECT_EQ(j.value("signing_key", ""), row.key);
  EXPECT_TRUE(j["reported_tcb"].is_object());
  EXPECT_TRUE(j["policy"].is_object());
  if (row.product_value() && row.version >= 2 && row.version <= 5) {
    ASSERT_TRUE(j["product"].is_string()) << j["product"].dump();
    EXPECT_EQ(j["product"].get<std::string>(), row.product);
  }
  auto text = report_to_text(*r, ctx);
  EXPECT_FALSE(text.empty());
}

INSTANTIATE_TEST_SUITE_P(Manifest, CorpusReport, testing::ValuesIn(test::all_manifest_rows()),
                         test::ManifestRowName{});

}  // namespace
}  // namespace veritee::snp
