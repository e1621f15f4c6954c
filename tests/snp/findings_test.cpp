// Report::findings: everything in the bytes that breaks the ABI is a named finding (DESIGN.md
// 2.3). Derived from real reports by changing single bits.
#include <algorithm>
#include <cctype>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {
namespace {

using test::ManifestRow;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string dump(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) {
    out += (f.severity == Finding::Severity::kError ? "  error " : "  note  ") + f.id + ": " +
           f.message + "\n";
  }
  return out.empty() ? "  (no findings)\n" : out;
}

// An error finding whose id or message contains one of `needles` (case-insensitive).
bool names_error(const std::vector<Finding>& fs, const std::vector<std::string>& needles) {
  for (const auto& f : fs) {
    if (f.severity != Finding::Severity::kError) continue;
    std::string hay = lower(f.id + " " + f.message);
    for (auto n : needles) {
      if (hay.find(lower(n)) != std::string::npos) return true;
    }
  }
  return false;
}

bool names_any(const std::vector<Finding>& fs, const std::vector<std::string>& needles) {
  for (const auto& f : fs) {
    std::string hay = lower(f.id + " " + f.message);
    for (auto n : needles) {
      if (hay.find(lower(n)) != std::string::npos) return true;
    }
  }
  return false;
}

std::size_t error_count(const std::vector<Finding>& fs) {
  return static_cast<std::size_t>(std::count_if(fs.begin(), fs.end(), [](const Finding& f) {
    return f.severity == Finding::Severity::kError;
  }));
}

std::vector<Finding> findings_of(const Bytes& b, std::optional<Product> product) {
  auto r = Report::parse(b);
  if (!r) {
    ADD_FAILURE() << "parse failed: " << r.error().message;
    return {};
  }
  return r->findings(product);
}

void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct Reserved {
  std::size_t offset, size;
  std::vector<std::string> names;
};

// Every PASS row: a genuine report has no error findings, and a bit flipped in any reserved
// field becomes an error finding naming that field.
class FindingsOnRealReport : public testing::TestWithParam<ManifestRow> {};

TEST_P(FindingsOnRealReport, GenuineReportHasNoErrors) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto fs = findings_of(test::report_bytes_of(row), row.product_value());
  EXPECT_EQ(error_count(fs), 0U) << dump(fs);
}

TEST_P(FindingsOnRealReport, FlippedReservedBitIsNamed) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  const Bytes original = test::report_bytes_of(row);
  std::vector<Reserved> fields = {
      {0x04C, 4, {"0x04c", "0x4c"}},
      {0x1EB, 1, {"0x1eb"}},
      {0x1EF, 1, {"0x1ef"}},
      {0x208, 0x98, {"0x208"}},
  };
  if (row.version >= 3) {
    fields.push_back({0x18B, 21, {"0x18b"}});
  } else {
    fields.push_back({0x188, 24, {"0x188"}});
  }
  if (row.version < 5) fields.push_back({0x1F8, 16, {"0x1f8", "mit_vector", "mit vector"}});

  for (const auto& f : fields) {
    for (std::size_t at : {f.offset, f.offset + f.size / 2, f.offset + f.size - 1}) {
      for (unsigned bit : {0U, 7U}) {
        Bytes b = original;
        b[at] ^= static_cast<std::uint8_t>(1U << bit);
        auto fs = findings_of(b, row.product_value());
        EXPECT_TRUE(names_error(fs, f.names))
            << "bit " << bit << " of byte 0x" << std::hex << at << " (reserved field at 0x"
            << f.offset << ") flipped; findings:\n"
            << dump(fs);
      }
    }
  }
}

TEST_P(FindingsOnRealReport, ReservedTcbBytesNamedWhenProductKnown) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  auto product = row.product_value();
  if (!product) GTEST_SKIP() << "product unknown";
  // A byte reserved in this product's TCB layout (DESIGN.md 3.2).
  std::size_t reserved_byte = *product == Product::kTurin ? 5 : 3;
  for (auto [offset, name] : {std::pair<std::size_t, std::string>{0x180, "reported_tcb"},
                              {0x038, "current_tcb"},
                              {0x1E0, "committed_tcb"},
                              {0x1F0, "launch_tcb"}}) {
    Bytes b = test::report_bytes_of(row);
    b[offset + reserved_byte] ^= 0x10;
    auto fs = findings_of(b, product);
    EXPECT_TRUE(names_error(fs, {name, "tcb"})) << name << " reserved byte set; findings:\n"
                                                << dump(fs);
  }
}

INSTANTIATE_TEST_SUITE_P(Manifest, FindingsOnRealReport,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.oracle_pass(); })),
                         test::ManifestRowName{});

// Versions 0 and 1 (corpus) and synthetic ones above 5: unknown, an error finding.
class UnknownVersion : public testing::TestWithParam<ManifestRow> {};

TEST_P(UnknownVersion, IsAnErrorFinding) {
  const ManifestRow& row = GetParam();
  VERITEE_REQUIRE_ROW(row);
  Bytes b = test::report_bytes_of(row);
  auto r = Report::parse(b);
  ASSERT_TRUE(r.has_value()) << "an unknown version still parses as a view: "
                             << r.error().message;
  EXPECT_EQ(r->version(), static_cast<std::uint32_t>(row.version));
  EXPECT_FALSE(r->version_known());
  auto fs = r->findings();
  EXPECT_TRUE(names_error(fs, {"report.version.unknown"})) << dump(fs);
}

INSTANTIATE_TEST_SUITE_P(Manifest, UnknownVersion,
                         testing::ValuesIn(test::manifest_rows(
                             [](const ManifestRow& r) { return r.version < 2; })),
                         test::ManifestRowName{});

// Synthetic changes to one reference report of each version that the corpus has.
class FindingsSynthetic : public testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    int version = GetParam();
    auto row = test::find_row([&](const ManifestRow& r) {
      return r.oracle_pass() && r.version == version && r.product_value().has_value();
    });
    if (!row) GTEST_SKIP() << "no PASS report of version " << version;
    row_ = *row;
    original_ = test::report_bytes_of(*row);
  }
  std::vector<Finding> with(std::size_t at, std::uint32_t value) {
    Bytes b = original_;
    put32(b, at, value);
    return findings_of(b, row_.product_value());
  }
  ManifestRow row_;
  Bytes original_;
};

TEST_P(FindingsSynthetic, VersionsAboveFiveAreUnknown) {
  for (std::uint32_t v : {6U, 7U, 0x100U, 0xFFFFFFFFU}) {
    Bytes b = original_;
    put32(b, 0, v);
    auto r = Report::parse(b);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->version_known()) << v;
    auto fs = r->findings(row_.product_value());
    EXPECT_TRUE(names_error(fs, {"report.version.unknown"})) << "version " << v << "\n"
                                                             << dump(fs);
  }
}

TEST_P(FindingsSynthetic, SignatureAlgoOtherThanOne) {
  for (std::uint32_t algo : {0U, 2U, 0x100U}) {
    auto fs = with(0x034, algo);
    EXPECT_TRUE(names_error(fs, {"signature_algo", "signature algo"}))
        << "SIGNATURE_ALGO " << algo << "\n"
        << dump(fs);
  }
}

TEST_P(FindingsSynthetic, VmplAboveThree) {
  auto ok = with(0x030, 3);
  EXPECT_FALSE(names_error(ok, {"vmpl"})) << dump(ok);
  auto fs = with(0x030, 4);
  EXPECT_TRUE(names_error(fs, {"vmpl"})) << dump(fs);
}

TEST_P(FindingsSynthetic, PolicyReservedOneClearAndMbzSet) {
  std::uint64_t policy = test::le64(original_, 0x008);
  ASSERT_TRUE(policy & (1ULL << 17)) << "genuine reports have POLICY bit 17 set";
  Bytes cleared = original_;
  cleared[0x008 + 2] &= static_cast<std::uint8_t>(~0x02);  // bit 17
  auto fs = findings_of(cleared, row_.product_value());
  EXPECT_TRUE(names_error(fs, {"policy"})) << dump(fs);
  Bytes mbz = original_;
  mbz[0x008 + 5] |= 0x01;  // bit 40
  fs = findings_of(mbz, row_.product_value());
  EXPECT_TRUE(names_error(fs, {"policy"})) << dump(fs);
}

TEST_P(FindingsSynthetic, KeyInfoMbzAndReservedSigningKey) {
  std::uint32_t key_info = test::le32(original_, 0x048);
  auto fs = with(0x048, key_info | (1U << 5));
  EXPECT_TRUE(names_error(fs, {"key_info"})) << dump(fs);
  for (std::uint32_t sk : {2U, 3U, 6U}) {
    fs = with(0x048, (key_info & ~0x1CU) | (sk << 2));
    EXPECT_TRUE(names_error(fs, {"signing_key", "key_info"})) << "SIGNING_KEY " << sk << "\n"
                                                              << dump(fs);
  }
}

TEST_P(FindingsSynthetic, PlatformInfoBit6IsNotAnError) {
  Bytes b = original_;
  b[0x040] |= 0x40;
  auto fs = findings_of(b, row_.product_value());
  EXPECT_EQ(error_count(fs), 0U) << "PLATFORM_INFO bit 6 must not be rejected\n" << dump(fs);
}

TEST_P(FindingsSynthetic, PlatformInfoReservedBitsNamed) {
  Bytes b = original_;
  b[0x040 + 1] |= 0x01;  // bit 8
  auto fs = findings_of(b, row_.product_value());
  EXPECT_TRUE(names_any(fs, {"platform_info"})) << dump(fs);
}

TEST_P(FindingsSynthetic, UnknownCpuidIsNamed) {
  if (row_.version < 3) GTEST_SKIP() << "v2 has no CPUID";
  Bytes b = original_;
  b[0x189] = 0x50;  // family 0x19/0x1A model 0x50: no product
  auto fs = findings_of(b, std::nullopt);
  EXPECT_TRUE(names_error(fs, {"cpuid"})) << dump(fs);
}

INSTANTIATE_TEST_SUITE_P(Version, FindingsSynthetic, testing::Values(2, 3, 5),
                         [](const testing::TestParamInfo<int>& p) {
                           return "v" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace veritee::snp
