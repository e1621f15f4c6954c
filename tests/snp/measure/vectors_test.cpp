// Every snp and snp:ovmf-hash row of VECTORS.tsv reproduced exactly, through the library and
// through the CLI; every error row refused with its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "support/process.hpp"
#include "vectors.hpp"
#include "veritee/snp/measure/measure.hpp"

namespace veritee {
namespace {

namespace m = snp::measure;
using test::VectorRow;

#define REQUIRE_ROW(row)                                                                  \
  if ((row).is_placeholder())                                                             \
    GTEST_SKIP() << "measurement vectors not found at " << test::measure_corpus_location(); \
  auto resolved = test::resolve_ovmf(row);                                                \
  if (!resolved.skip.empty()) GTEST_SKIP() << resolved.skip

std::string unquote(const std::string& append) { return append == "\"\"" ? "" : append; }

bool contains_ci(std::string text, std::string part) {
  auto lower = [](std::string& s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  };
  lower(text);
  lower(part);
  return text.find(part) != std::string::npos;
}

// The key phrase each refusal must carry: the section or feature the upstream message names.
std::string reason_phrase(const VectorRow& row) {
  const std::string msg = row.error_message();
  if (msg.find("SNP_KERNEL_HASHES") != std::string::npos) return "SNP_KERNEL_HASHES";
  return msg;
}

Result<m::Measurement> measure_row(const VectorRow& row, const std::filesystem::path& ovmf_path,
                                   const test::TempDir& scratch, Bytes& image) {
  auto read = read_file(ovmf_path);
  if (!read) return std::unexpected(read.error());
  image = std::move(*read);
  auto ovmf = m::OvmfImage::parse(image);
  if (!ovmf) return std::unexpected(ovmf.error());
  m::LaunchParams p;
  p.vcpus = static_cast<std::uint32_t>(std::stoul(row.vcpus));
  p.vmm = m::parse_vmm_type(row.vmm_type).value();
  if (row.vcpu_sig != "-") p.vcpu_signature = static_cast<std::uint32_t>(std::stoul(row.vcpu_sig, nullptr, 16));
  if (row.vcpu_type != "-") {
    EXPECT_EQ(m::vcpu_type_signature(row.vcpu_type).value(), p.vcpu_signature.value())
        << row.vcpu_type;
  }
  p.guest_features = std::stoull(row.guest_features, nullptr, 16);
  if (row.kernel != "none") {
    Bytes kernel = test::slurp(test::resolve_blob(row.kernel, scratch.path()));
    Bytes initrd;
    if (row.initrd != "none") initrd = test::slurp(test::resolve_blob(row.initrd, scratch.path()));
    p.kernel = m::KernelHashes::compute(kernel, initrd, row.append == "-" ? "" : unquote(row.append)).value();
  }
  if (row.ovmf_hash != "-") {
    auto h = from_hex(row.ovmf_hash).value();
    p.ovmf_hash.emplace();
    std::copy(h.begin(), h.end(), p.ovmf_hash->begin());
  }
  return m::measure(*ovmf, p);
}

std::vector<std::string> cli_args(const VectorRow& row, const std::filesystem::path& ovmf_path,
                                  const test::TempDir& scratch) {
  if (row.mode == "snp:ovmf-hash") return {"measure", "--ovmf", ovmf_path.string(), "--ovmf-hash-only"};
  std::vector<std::string> a = {"measure", "--ovmf", ovmf_path.string(), "--vcpus", row.vcpus,
                                "--vmm-type", row.vmm_type, "--guest-features", row.guest_features};
  if (row.vcpu_type != "-") {
    a.insert(a.end(), {"--vcpu-type", row.vcpu_type});
  } else if (row.vcpu_sig != "-") {
    a.insert(a.end(), {"--vcpu-sig", row.vcpu_sig});
  }
  if (row.kernel != "none") {
    a.insert(a.end(), {"--kernel", test::resolve_blob(row.kernel, scratch.path()).string()});
    if (row.initrd != "none") {
      a.insert(a.end(), {"--initrd", test::resolve_blob(row.initrd, scratch.path()).string()});
    }
    if (row.append != "-") a.insert(a.end(), {"--append", unquote(row.append)});
  }
  if (row.ovmf_hash != "-") a.insert(a.end(), {"--snp-ovmf-hash", row.ovmf_hash});
  return a;
}

std::string last_line(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

class SnpVectors : public testing::TestWithParam<VectorRow> {};

TEST_P(SnpVectors, Library) {
  const VectorRow& row = GetParam();
  REQUIRE_ROW(row);
  test::TempDir scratch;
  if (row.mode == "snp:ovmf-hash") {
    auto image = test::slurp(resolved.path);
    auto ovmf = m::OvmfImage::parse(image);
    ASSERT_TRUE(ovmf) << ovmf.error().message;
    auto hash = m::ovmf_hash(*ovmf);
    ASSERT_TRUE(hash) << hash.error().message;
    EXPECT_EQ(to_hex(*hash), row.expected);
    return;
  }
  Bytes image;
  auto result = measure_row(row, resolved.path, scratch, image);
  if (row.is_error()) {
    ASSERT_FALSE(result) << "expected refusal: " << row.error_message();
    EXPECT_TRUE(contains_ci(result.error().message, reason_phrase(row)))
        << result.error().message << "\nupstream: " << row.error_message();
    return;
  }
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(to_hex(result->measurement), row.expected);
}

TEST_P(SnpVectors, Cli) {
  const VectorRow& row = GetParam();
  REQUIRE_ROW(row);
  test::TempDir scratch;
  auto r = test::run_cli(cli_args(row, resolved.path, scratch));
  if (row.is_error()) {
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(contains_ci(r.err, reason_phrase(row))) << r.err;
    EXPECT_EQ(r.out.find_first_of("0123456789abcdef", 0) == std::string::npos ||
                  last_line(r.out).size() != 96,
              true)
        << "no digest on a refusal: " << r.out;
    return;
  }
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(last_line(r.out), row.expected) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Vectors, SnpVectors,
                         testing::ValuesIn(test::vector_rows({"snp", "snp:ovmf-hash"})),
                         [](const auto& p) { return p.param.test_name(); });

// The SEV and SEV-ES rows (optional in the issue): veritee computes SEV-SNP digests only, so
// it refuses those modes by name rather than printing a digest of another kind.
class OtherModes : public testing::TestWithParam<VectorRow> {};

TEST_P(OtherModes, RefusedByName) {
  const VectorRow& row = GetParam();
  REQUIRE_ROW(row);
  auto r = test::run_cli({"measure", "--ovmf", resolved.path.string(), "--mode", row.mode,
                          "--vcpus", "1", "--vcpu-sig", "0x800f12"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(contains_ci(r.err, "only SEV-SNP")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Vectors, OtherModes, testing::ValuesIn(test::vector_rows({"sev", "seves"})),
                         [](const auto& p) { return p.param.test_name(); });

}  // namespace
}  // namespace veritee
