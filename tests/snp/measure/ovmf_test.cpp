// Malformed and non-SEV images, and parameters an image cannot honour: each is a named error
// (exit 2 in the CLI), never a digest. Images are mutations of the AmdSev fixture.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "vectors.hpp"
#include "veritee/snp/measure/measure.hpp"

namespace veritee {
namespace {

namespace m = snp::measure;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class Ovmf : public testing::Test {
 protected:
  void SetUp() override {
    auto dir = test::measure_corpus_dir();
    if (!dir) GTEST_SKIP() << "measurement vectors not found at " << test::measure_corpus_location();
    fixture_ = test::slurp(*dir / "virtee-sev-snp-measure" / "ovmf_AmdSev_suffix.bin");
    ASSERT_EQ(fixture_.size(), 4096U);
  }
  // The offset of an entry's data in the fixture.
  std::size_t entry_offset(const m::Guid& guid) const {
    auto parsed = m::OvmfImage::parse(fixture_);
    EXPECT_TRUE(parsed);
    const m::FooterEntry* e = parsed->find(guid);
    EXPECT_NE(e, nullptr);
    return e->offset;
  }
  std::size_t metadata_offset() const { return m::OvmfImage::parse(fixture_)->metadata_offset(); }
  static void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v);
    b[at + 1] = static_cast<std::uint8_t>(v >> 8);
  }
  static void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  static std::string parse_error(const Bytes& image) {
    auto r = m::OvmfImage::parse(image);
    return r ? "" : r.error().message;
  }
  static m::LaunchParams qemu(std::uint32_t vcpus) {
    m::LaunchParams p;
    p.vcpus = vcpus;
    p.vcpu_signature = 0x800f12;
    return p;
  }

  Bytes fixture_;
};

TEST_F(Ovmf, FixtureParses) {
  auto o = m::OvmfImage::parse(fixture_);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->gpa(), 0xFFFFF000U);
  EXPECT_EQ(o->sections().size(), 7U);
  EXPECT_EQ(o->sev_es_reset_eip(), 0x80b004U);
  ASSERT_TRUE(o->sev_hash_table());
  EXPECT_EQ(o->sev_hash_table()->gpa, 0x810c00U);
  EXPECT_TRUE(o->has_section(m::SectionType::kSnpKernelHashes));
  EXPECT_EQ(m::guids::kFooterTable.to_string(), "96b582de-1fb2-45f7-baea-a366c55a082d");
}

TEST_F(Ovmf, TruncatedImageIsNotWholePages) {
  Bytes cut(fixture_.begin() + 96, fixture_.end());
  EXPECT_TRUE(contains(parse_error(cut), "not a whole number of 4 KiB pages")) << parse_error(cut);
  EXPECT_TRUE(contains(parse_error(Bytes{}), "not a whole number of 4 KiB pages"));
}

TEST_F(Ovmf, NoFooterTable) {
  Bytes zeros(4096, 0);
  EXPECT_TRUE(contains(parse_error(zeros), "no OVMF footer table")) << parse_error(zeros);
}

TEST_F(Ovmf, TruncatedFooterTable) {
  Bytes b = fixture_;
  put16(b, b.size() - 50, 0xFFFF);  // the table would start before the image
  EXPECT_TRUE(contains(parse_error(b), "reaches before the start")) << parse_error(b);
  put16(b, b.size() - 50, 5);  // shorter than its own length and GUID
  EXPECT_TRUE(contains(parse_error(b), "less than its own 18-byte length and GUID"))
      << parse_error(b);
}

TEST_F(Ovmf, BadEntryLength) {
  const std::size_t table_end = fixture_.size() - 50;
  Bytes b = fixture_;
  put16(b, table_end - 18, 5);  // the last entry's length
  EXPECT_TRUE(contains(parse_error(b), "has length 5, less than its own 18-byte length and GUID"))
      << parse_error(b);
  put16(b, table_end - 18, 0x800);
  EXPECT_TRUE(contains(parse_error(b), "more than the")) << parse_error(b);
  put16(b, table_end - 18, 21);  // one byte short: leaves bytes over before the first entry
  EXPECT_FALSE(parse_error(b).empty());
}

TEST_F(Ovmf, DuplicateEntry) {
  Bytes b = fixture_;
  // Rename the SEV hash table entry to the SEV-ES reset block's GUID.
  const std::size_t at = entry_offset(m::guids::kSevHashTable) + 8 + 2;
  std::copy(m::guids::kSevEsResetBlock.bytes.begin(), m::guids::kSevEsResetBlock.bytes.end(),
            b.begin() + static_cast<std::ptrdiff_t>(at));
  EXPECT_TRUE(contains(parse_error(b), "twice")) << parse_error(b);
}

TEST_F(Ovmf, MetadataOutsideTheFile) {
  Bytes b = fixture_;
  put32(b, entry_offset(m::guids::kSevMetadata), 0x2000);
  EXPECT_TRUE(contains(parse_error(b), "points outside the 4096-byte image")) << parse_error(b);
  put32(b, entry_offset(m::guids::kSevMetadata), 8);
  EXPECT_TRUE(contains(parse_error(b), "points outside")) << parse_error(b);
  put32(b, entry_offset(m::guids::kSevMetadata), 20);  // header fits, sections run off the end
  EXPECT_FALSE(parse_error(b).empty());
}

TEST_F(Ovmf, MetadataHeader) {
  const std::size_t at = metadata_offset();
  Bytes b = fixture_;
  b[at] = 'X';
  EXPECT_TRUE(contains(parse_error(b), "does not start with the signature 'ASEV'"));
  b = fixture_;
  put32(b, at + 8, 2);
  auto r = m::OvmfImage::parse(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnknownVersion);
  b = fixture_;
  put32(b, at + 4, 101);
  EXPECT_TRUE(contains(parse_error(b), "does not match its 7 sections")) << parse_error(b);
}

TEST_F(Ovmf, MetadataSections) {
  const std::size_t first = metadata_offset() + 16;
  Bytes b = fixture_;
  put32(b, first + 8, 7);
  EXPECT_TRUE(contains(parse_error(b), "unknown type 0x7")) << parse_error(b);
  b = fixture_;
  put32(b, first, 0x800010);
  EXPECT_TRUE(contains(parse_error(b), "not 4 KiB-aligned")) << parse_error(b);
  b = fixture_;
  put32(b, first + 4, 0x1001);
  EXPECT_TRUE(contains(parse_error(b), "not a non-zero multiple of 4 KiB")) << parse_error(b);
  b = fixture_;
  put32(b, first + 12 * 2 + 4, 0x2000);  // the secrets section, two pages
  EXPECT_TRUE(contains(parse_error(b), "exactly one 4 KiB page")) << parse_error(b);
  b = fixture_;
  put32(b, first, 0xFFFFF000);
  EXPECT_TRUE(contains(parse_error(b), "ends above 4 GiB")) << parse_error(b);
  b = fixture_;
  put32(b, first + 4, 0x8000000);  // 128 MiB: every page would cost a SHA-384
  EXPECT_TRUE(contains(parse_error(b), "bytes accepted")) << parse_error(b);
}

TEST_F(Ovmf, DebianNonSevFirmware) {
  const std::filesystem::path path = "/usr/share/OVMF/OVMF_CODE_4M.fd";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent (apt-get install ovmf)";
  auto image = test::slurp(path);
  auto r = m::OvmfImage::parse(image);
  if (r) GTEST_SKIP() << path << " of this build has SEV metadata; nothing to refuse";
  EXPECT_TRUE(contains(r.error().message, "no SEV metadata: this OVMF was not built with "
                                          "AmdSev/SNP support"))
      << r.error().message;
  auto cli = test::run_cli({"measure", "--ovmf", path.string(), "--vcpus", "1", "--vcpu-type",
                            "EPYC-v4"});
  EXPECT_EQ(cli.exit_code, 2);
  EXPECT_TRUE(contains(cli.err, "no SEV metadata")) << cli.err;
  EXPECT_TRUE(cli.out.empty()) << cli.out;
  cli = test::run_cli({"measure", "--ovmf", path.string(), "--ovmf-hash-only"});
  EXPECT_EQ(cli.exit_code, 2);
}

TEST_F(Ovmf, MalformedImageThroughTheCli) {
  test::TempDir dir;
  Bytes b = fixture_;
  put16(b, b.size() - 50 - 18, 5);
  auto file = dir.write("bad.fd", b);
  auto r = test::run_cli({"measure", "--ovmf", file.string(), "--vcpus", "1", "--vcpu-type",
                          "EPYC-v4"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "bad.fd: OVMF footer table entry")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(Ovmf, ParametersTheImageCannotHonour) {
  auto o = m::OvmfImage::parse(fixture_).value();
  auto p = qemu(1);
  p.vcpu_signature.reset();
  EXPECT_TRUE(contains(m::measure(o, p).error().message, "vCPU type or signature"));
  p = qemu(0);
  EXPECT_TRUE(contains(m::measure(o, p).error().message, "number of vCPUs"));
  p = qemu(1);
  p.guest_features = 0x20;
  EXPECT_TRUE(contains(m::measure(o, p).error().message, "SNPActive"));

  // Without a SEV-ES reset block only one vCPU can be measured.
  Bytes b = fixture_;
  const std::size_t guid_at = b.size() - 50 - 16;  // the last entry is the reset block
  b[guid_at] ^= 0xFF;
  auto no_reset = m::OvmfImage::parse(b).value();
  EXPECT_FALSE(no_reset.sev_es_reset_eip());
  EXPECT_TRUE(m::measure(no_reset, qemu(1)));
  EXPECT_TRUE(contains(m::measure(no_reset, qemu(2)).error().message, "SEV-ES reset block"));

  // The hash table must lie in the kernel-hashes page.
  b = fixture_;
  put32(b, entry_offset(m::guids::kSevHashTable), 0x900c00);
  auto moved = m::OvmfImage::parse(b).value();
  p = qemu(1);
  p.kernel = m::KernelHashes::compute({}, {}, "").value();
  EXPECT_TRUE(contains(m::measure(moved, p).error().message, "is not in the SNP_KERNEL_HASHES page"))
      << m::measure(moved, p).error().message;
}

TEST(VcpuTypes, SignaturesAndFamilyModelStepping) {
  EXPECT_EQ(m::vcpu_type_signature("EPYC-v4").value(), 0x800f12U);
  EXPECT_EQ(m::vcpu_type_signature("epyc-milan").value(), 0xa00f11U);
  EXPECT_EQ(m::vcpu_type_signature("EPYC-Genoa").value(), 0xa10f10U);
  EXPECT_EQ(m::vcpu_type_signature("EPYC-Turin").value(), 0xb00f00U);
  EXPECT_EQ(m::vcpu_type_signature("EPYC-Rome").value(), 0x830f10U);
  EXPECT_FALSE(m::vcpu_type_signature("EPYC-Bogus"));
  EXPECT_EQ(m::cpuid_signature(25, 1, 1).value(), 0xa00f11U);
  EXPECT_EQ(m::cpuid_signature(26, 0, 0).value(), 0xb00f00U);
  EXPECT_FALSE(m::cpuid_signature(300, 0, 0));
  EXPECT_FALSE(m::cpuid_signature(25, 256, 0));
  EXPECT_FALSE(m::cpuid_signature(25, 1, 16));
  EXPECT_EQ(m::parse_vmm_type("EC2").value(), m::VmmType::kEc2);
  EXPECT_EQ(m::parse_vmm_type("Gce").value(), m::VmmType::kGce);
  EXPECT_EQ(m::parse_vmm_type("QEMU").value(), m::VmmType::kQemu);
  EXPECT_FALSE(m::parse_vmm_type("azure"));
}

// CLI behaviour beyond the vectors: flag spellings, outputs, --check.
class MeasureCli : public Ovmf {
 protected:
  void SetUp() override {
    Ovmf::SetUp();
    if (IsSkipped()) return;
    file_ = dir_.write("amdsev.fd", fixture_);
  }
  std::vector<std::string> base(std::vector<std::string> more = {}) const {
    std::vector<std::string> a = {"measure", "--ovmf", file_.string(), "--vcpus", "2"};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  }
  static std::string last_line(std::string s) {
    while (!s.empty() && s.back() == '\n') s.pop_back();
    auto nl = s.rfind('\n');
    return nl == std::string::npos ? s : s.substr(nl + 1);
  }
  test::TempDir dir_;
  std::filesystem::path file_;
};

TEST_F(MeasureCli, VmmTypeInAnyCaseAndVcpuSpellings) {
  auto lower = test::run_cli(base({"--vmm-type", "ec2"}));
  auto upper = test::run_cli(base({"--vmm-type", "EC2"}));
  ASSERT_EQ(lower.exit_code, 0) << lower.err;
  EXPECT_EQ(last_line(lower.out), last_line(upper.out));
  auto qemu_upper = test::run_cli(base({"--vmm-type", "QEMU", "--vcpu-type", "EPYC-Milan"}));
  auto by_sig = test::run_cli(base({"--vcpu-sig", "0xa00f11"}));
  auto by_fms = test::run_cli(
      base({"--vcpu-family", "25", "--vcpu-model", "1", "--vcpu-stepping", "1"}));
  ASSERT_EQ(qemu_upper.exit_code, 0) << qemu_upper.err;
  EXPECT_EQ(last_line(qemu_upper.out), last_line(by_sig.out));
  EXPECT_EQ(last_line(qemu_upper.out), last_line(by_fms.out));
  EXPECT_EQ(last_line(qemu_upper.out).size(), 96U);
}

TEST_F(MeasureCli, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           base(),                                                   // qemu without a vCPU
           base({"--vcpu-type", "EPYC-v4", "--vcpu-sig", "0x1"}),    // two vCPU spellings
           base({"--vcpu-family", "25"}),                            // incomplete
           base({"--vcpu-type", "EPYC-v4", "--initrd", file_.string()}),  // initrd, no kernel
           base({"--vcpu-type", "EPYC-v4", "--vmm-type", "azure"}),
           base({"--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", "abcd"}),
           base({"--vcpu-type", "EPYC-v4", "--guest-features", "zz"}),
           {"measure", "--ovmf", file_.string(), "--vcpu-type", "EPYC-v4"},  // no --vcpus
       }) {
    auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args) << r.out;
    EXPECT_TRUE(r.out.empty()) << testing::PrintToString(args) << r.out;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST_F(MeasureCli, JsonAndPolicySnippet) {
  auto text = test::run_cli(base({"--vcpu-type", "EPYC-v4"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::string measurement = last_line(text.out);
  auto json = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--json"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["measurement"], measurement);
  EXPECT_EQ(j["inputs"]["vcpu_signature"], "0x800f12");
  EXPECT_EQ(j["ovmf"]["sev_metadata_sections"].size(), 7U);
  EXPECT_EQ(j["ovmf"]["sev_metadata_sections"][5]["type"], "SNP_KERNEL_HASHES");
  EXPECT_EQ(j["ap_eip"], "0x80b004");
  auto snippet = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--policy-snippet"}));
  ASSERT_EQ(snippet.exit_code, 0) << snippet.err;
  EXPECT_EQ(last_line(snippet.out), "measurements = [\"" + measurement + "\"]");
}

TEST_F(MeasureCli, OvmfHashRoundTrip) {
  auto hash = test::run_cli({"measure", "--ovmf", file_.string(), "--ovmf-hash-only"});
  ASSERT_EQ(hash.exit_code, 0) << hash.err;
  auto direct = test::run_cli(base({"--vcpu-type", "EPYC-v4"}));
  auto seeded = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--snp-ovmf-hash", last_line(hash.out)}));
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
  EXPECT_EQ(last_line(direct.out), last_line(seeded.out));
}

TEST_F(MeasureCli, CheckAgainstAReport) {
  auto text = test::run_cli(base({"--vcpu-type", "EPYC-v4"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const Bytes expected = from_hex(last_line(text.out)).value();
  Bytes report = test::slurp(std::filesystem::path(VERITEE_SOURCE_DIR) / "samples" / "turin-v5" /
                             "report.bin");
  auto other = dir_.write("other.bin", report);
  std::copy(expected.begin(), expected.end(), report.begin() + 0x90);  // MEASUREMENT
  auto same = dir_.write("same.bin", report);
  auto ok = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--check", same.string()}));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_TRUE(contains(ok.out, "MEASUREMENT matches")) << ok.out;
  auto bad = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--check", other.string()}));
  EXPECT_EQ(bad.exit_code, 5) << bad.out << bad.err;
  EXPECT_TRUE(contains(bad.out, "is not the expected")) << bad.out;
  auto missing = test::run_cli(base({"--vcpu-type", "EPYC-v4", "--check", (dir_ / "nope").string()}));
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace veritee
