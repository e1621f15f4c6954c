// Every appraisal rule with a passing and a failing case derived from real corpus reports:
// reference values are read from the report bytes here (independently of the report view),
// then matched or changed by one. Where the corpus has no report with a property (MIGRATE_MA,
// SINGLE_SOCKET, AUTHOR_KEY_EN), a copy of a real report has that one bit set; appraisal does
// not check signatures, the verifier before it does.
#include <gtest/gtest.h>

#include <functional>

#include "rats/rats_fixture.hpp"
#include "veritee/verify/appraisal.hpp"

namespace veritee::test {
namespace {

struct Sample {
  Bytes bytes;
  snp::Product product;
  std::string name;
};

std::optional<Sample> sample(const std::function<bool(const ManifestRow&)>& pred) {
  auto row = corpus_row(pred);
  if (!row) return std::nullopt;
  return Sample{report_bytes_of(*row), *row->product_value(), row->report};
}

std::string hex_at(const Bytes& b, std::size_t off, std::size_t n) {
  return to_hex(ByteView(b).subspan(off, n));
}

// The hex of n bytes at off with the last byte changed.
std::string other_hex_at(const Bytes& b, std::size_t off, std::size_t n) {
  Bytes copy(b.begin() + static_cast<std::ptrdiff_t>(off), b.begin() + static_cast<std::ptrdiff_t>(off + n));
  copy.back() ^= 0x01;
  return to_hex(copy);
}

struct Outcome {
  std::optional<Check> check;
  bool warning = false;
};

Outcome run(const Bytes& report_bytes, std::optional<snp::Product> product, const std::string& toml,
            const std::string& id) {
  auto report = snp::Report::parse(report_bytes);
  EXPECT_TRUE(report);
  verify::Appraisal a = verify::appraise(*report, product, policy_from(toml));
  Outcome out;
  if (const Check* c = a.checks.find(id)) out.check = *c;
  out.warning = a.warnings.contains(id);
  return out;
}

void expect_pass(const Sample& s, const std::string& toml, const std::string& id) {
  auto o = run(s.bytes, s.product, toml, id);
  ASSERT_TRUE(o.check) << id << " missing for " << toml;
  EXPECT_EQ(o.check->status, CheckStatus::kPass) << s.name << "\n" << toml << "\n" << o.check->detail;
}

std::string expect_fail(const Sample& s, const std::string& toml, const std::string& id) {
  auto o = run(s.bytes, s.product, toml, id);
  EXPECT_TRUE(o.check) << id << " missing for " << toml;
  if (!o.check) return "";
  EXPECT_EQ(o.check->status, CheckStatus::kFail) << s.name << "\n" << toml << "\n" << o.check->detail;
  return o.check->detail;
}

// The SPLs of a TCB read straight from the bytes (DESIGN.md 3.2 layouts).
struct Spl {
  int fmc = -1, bl, tee, snp, ucode;
};
Spl spl_at(const Bytes& b, std::size_t off, snp::Product p) {
  if (p == snp::Product::kTurin) return {b[off], b[off + 1], b[off + 2], b[off + 3], b[off + 7]};
  return {-1, b[off], b[off + 1], b[off + 6], b[off + 7]};
}
std::string tcb_table(const char* name, const Spl& s, int bump_snp = 0) {
  std::string t = std::string("[") + name + "]\nbl = " + std::to_string(s.bl) + "\ntee = " +
                  std::to_string(s.tee) + "\nsnp = " + std::to_string(s.snp + bump_snp) +
                  "\nucode = " + std::to_string(s.ucode) + "\n";
  if (s.fmc >= 0) t += "fmc = " + std::to_string(s.fmc) + "\n";
  return t;
}
Spl min_of(const Spl& a, const Spl& b) {
  return {std::min(a.fmc, b.fmc), std::min(a.bl, b.bl), std::min(a.tee, b.tee), std::min(a.snp, b.snp),
          std::min(a.ucode, b.ucode)};
}

#define SAMPLE(var, pred)                                          \
  VERITEE_REQUIRE_CORPUS();                                        \
  auto var##_opt = sample(pred);                                   \
  if (!var##_opt) GTEST_SKIP() << "no such report in the corpus"; \
  const Sample& var = *var##_opt

auto milan_v3 = [](const ManifestRow& r) { return r.product == "milan" && r.version == 3 && r.key == "VCEK"; };
auto turin = [](const ManifestRow& r) { return r.product == "turin"; };
auto vlek = [](const ManifestRow& r) { return r.key == "VLEK" && r.version == 3; };
auto debug_report = [](const ManifestRow& r) { return r.report == "go-sev-guest/attestation.bin"; };

TEST(Appraisal, Debug) {
  SAMPLE(dbg, debug_report);
  ASSERT_TRUE((le64(dbg.bytes, 0x08) >> 19) & 1) << "the go-sev-guest report has DEBUG set";
  auto detail = expect_fail(dbg, "", "policy.debug");
  EXPECT_NE(detail.find("POLICY.DEBUG is 1"), std::string::npos) << detail;
  EXPECT_NE(detail.find("allow_debug = false"), std::string::npos) << detail;
  auto o = run(dbg.bytes, dbg.product, "allow_debug = true\n", "policy.debug");
  EXPECT_EQ(o.check->status, CheckStatus::kPass);
  EXPECT_TRUE(o.warning) << "allowed debug is a soft finding";
  SAMPLE(clean, milan_v3);
  o = run(clean.bytes, clean.product, "", "policy.debug");
  EXPECT_EQ(o.check->status, CheckStatus::kPass);
  EXPECT_FALSE(o.warning);
}

TEST(Appraisal, MigrateMa) {
  SAMPLE(s, milan_v3);
  expect_pass(s, "", "policy.migrate_ma");
  Sample m = s;
  m.bytes[0x08 + 2] |= 0x04;  // POLICY bit 18
  expect_fail(m, "", "policy.migrate_ma");
  auto o = run(m.bytes, m.product, "allow_migrate_ma = true\n", "policy.migrate_ma");
  EXPECT_EQ(o.check->status, CheckStatus::kPass);
  EXPECT_TRUE(o.warning);
}

TEST(Appraisal, Smt) {
  SAMPLE(s, milan_v3);
  ASSERT_TRUE((le64(s.bytes, 0x08) >> 16) & 1);
  expect_pass(s, "", "policy.smt");
  auto d = expect_fail(s, "allow_smt = false\n", "policy.smt");
  EXPECT_NE(d.find("POLICY.SMT is 1"), std::string::npos) << d;
}

TEST(Appraisal, SingleSocket) {
  SAMPLE(s, milan_v3);
  expect_pass(s, "", "policy.single_socket");
  expect_fail(s, "require_single_socket = true\n", "policy.single_socket");
  Sample ss = s;
  ss.bytes[0x08 + 2] |= 0x10;  // POLICY bit 20
  expect_pass(ss, "require_single_socket = true\n", "policy.single_socket");
}

TEST(Appraisal, MinAbi) {
  SAMPLE(s, milan_v3);
  const int major = s.bytes[0x09], minor = s.bytes[0x08];
  expect_pass(s, "min_abi = \"" + std::to_string(major) + "." + std::to_string(minor) + "\"\n", "policy.abi");
  auto d = expect_fail(s, "min_abi = \"" + std::to_string(major + 1) + ".0\"\n", "policy.abi");
  EXPECT_NE(d.find(std::to_string(major) + "." + std::to_string(minor) + " < min_abi"), std::string::npos) << d;
}

TEST(Appraisal, MinTcb) {
  for (auto pred : {std::function<bool(const ManifestRow&)>(milan_v3), std::function<bool(const ManifestRow&)>(turin)}) {
    SAMPLE(s, pred);
    // The minimum over REPORTED (0x180), COMMITTED (0x1E0) and CURRENT (0x038) passes.
    Spl low = min_of(min_of(spl_at(s.bytes, 0x180, s.product), spl_at(s.bytes, 0x1E0, s.product)),
                     spl_at(s.bytes, 0x038, s.product));
    expect_pass(s, tcb_table("min_tcb", low), "policy.min_tcb");
    Spl reported = spl_at(s.bytes, 0x180, s.product);
    auto d = expect_fail(s, tcb_table("min_tcb", reported, 1), "policy.min_tcb");
    EXPECT_NE(d.find("REPORTED_TCB snp " + std::to_string(reported.snp) + " < " + std::to_string(reported.snp + 1)),
              std::string::npos) << d;
    if (s.product == snp::Product::kTurin) {
      Spl high_fmc = low;
      high_fmc.fmc = reported.fmc + 1;
      d = expect_fail(s, tcb_table("min_tcb", high_fmc), "policy.min_tcb");
      EXPECT_NE(d.find("fmc"), std::string::npos) << d;
    }
  }
}

TEST(Appraisal, MinTcbPerProduct) {
  SAMPLE(s, milan_v3);
  // A Genoa-only minimum no Milan report meets does not apply to this Milan report...
  expect_pass(s, "[min_tcb]\nbl = 0\n[min_tcb.genoa]\nsnp = 255\n", "policy.min_tcb");
  // ...a Milan one does, replacing [min_tcb].
  expect_fail(s, "[min_tcb]\nbl = 0\n[min_tcb.milan]\nsnp = 255\n", "policy.min_tcb");
  // Without a product the TCB cannot be decoded: fail, never guess.
  auto o = run(s.bytes, std::nullopt, "[min_tcb]\nbl = 0\n", "policy.min_tcb");
  EXPECT_EQ(o.check->status, CheckStatus::kFail);
}

TEST(Appraisal, MinLaunchTcb) {
  SAMPLE(s, milan_v3);
  Spl launch = spl_at(s.bytes, 0x1F0, s.product);
  expect_pass(s, tcb_table("min_launch_tcb", launch), "policy.min_launch_tcb");
  auto d = expect_fail(s, tcb_table("min_launch_tcb", launch, 1), "policy.min_launch_tcb");
  EXPECT_NE(d.find("LAUNCH_TCB"), std::string::npos) << d;
}

TEST(Appraisal, GuestSvn) {
  SAMPLE(s, [](const ManifestRow& r) { return r.report == "ms-tee-attestation-verification/turin_attestation_report.bin"; });
  const auto svn = le32(s.bytes, 0x04);
  expect_pass(s, "min_guest_svn = " + std::to_string(svn) + "\n", "policy.guest_svn");
  auto d = expect_fail(s, "min_guest_svn = " + std::to_string(svn + 1) + "\n", "policy.guest_svn");
  EXPECT_NE(d.find("GUEST_SVN " + std::to_string(svn) + " < min_guest_svn " + std::to_string(svn + 1)), std::string::npos) << d;
}

TEST(Appraisal, BuildAndVersion) {
  SAMPLE(s, milan_v3);
  const int build = s.bytes[0x1E8], minor = s.bytes[0x1E9], major = s.bytes[0x1EA];
  expect_pass(s, "min_build = " + std::to_string(build) + "\n", "policy.build");
  expect_fail(s, "min_build = " + std::to_string(build + 1) + "\n", "policy.build");
  const std::string mm = std::to_string(major) + "." + std::to_string(minor);
  expect_pass(s, "min_version = \"" + mm + "\"\n", "policy.version");
  expect_fail(s, "min_version = \"" + std::to_string(major) + "." + std::to_string(minor + 1) + "\"\n", "policy.version");
  expect_pass(s, "min_version = \"" + mm + "." + std::to_string(build) + "\"\n", "policy.version");
  auto d = expect_fail(s, "min_version = \"" + mm + "." + std::to_string(build + 1) + "\"\n", "policy.version");
  EXPECT_NE(d.find(mm + "." + std::to_string(build) + " < min_version"), std::string::npos) << d;
}

TEST(Appraisal, Vmpl) {
  SAMPLE(s, vlek);
  ASSERT_EQ(le32(s.bytes, 0x30), 1u) << "trustee's VLEK report is at VMPL 1";
  auto d = expect_fail(s, "vmpl = 0\n", "policy.vmpl");
  EXPECT_NE(d.find("VMPL 1 is not in the allowed set {0}"), std::string::npos) << d;
  expect_pass(s, "vmpl = [0, 1]\n", "policy.vmpl");
}

// The exact-value and allow-list rules over one field each: (key, check id, offset, size, list).
struct FieldRule {
  const char* key;
  const char* id;
  std::size_t offset, size;
  bool list;
};
constexpr FieldRule kFieldRules[] = {
    {"measurements", "policy.measurement", 0x090, 48, true},
    {"host_data", "policy.host_data", 0x0C0, 32, false},
    {"family_id", "policy.family_id", 0x010, 16, false},
    {"image_id", "policy.image_id", 0x020, 16, false},
    {"id_key_digests", "policy.id_key_digest", 0x0E0, 48, true},
    {"report_id", "policy.report_id", 0x140, 32, false},
    {"report_id_ma", "policy.report_id_ma", 0x160, 32, false},
    {"chip_ids", "policy.chip_id", 0x1A0, 64, true},
    {"report_data", "policy.report_data", 0x050, 64, false},
};

TEST(Appraisal, FieldValues) {
  SAMPLE(s, [](const ManifestRow& r) { return r.report == "ms-tee-attestation-verification/genoa_attestation_report.bin"; });
  for (const auto& f : kFieldRules) {
    SCOPED_TRACE(f.key);
    auto value = [&](const std::string& hex) {
      return std::string(f.key) + " = " + (f.list ? "[\"" + hex + "\"]" : "\"" + hex + "\"") + "\n";
    };
    const std::string mine = hex_at(s.bytes, f.offset, f.size);
    const std::string other = other_hex_at(s.bytes, f.offset, f.size);
    expect_pass(s, value(mine), f.id);
    auto d = expect_fail(s, value(other), f.id);
    EXPECT_NE(d.find(mine), std::string::npos) << "the report's value in the sentence: " << d;
    EXPECT_NE(d.find(other), std::string::npos) << "the policy's value in the sentence: " << d;
    if (f.list) expect_pass(s, std::string(f.key) + " = [\"" + other + "\", \"" + mine + "\"]\n", f.id);
  }
}

TEST(Appraisal, ChipIdTurinShortFormAndVlek) {
  SAMPLE(t, turin);
  expect_pass(t, "chip_ids = [\"" + hex_at(t.bytes, 0x1A0, 8) + "\"]\n", "policy.chip_id");
  expect_fail(t, "chip_ids = [\"" + other_hex_at(t.bytes, 0x1A0, 8) + "\"]\n", "policy.chip_id");
  SAMPLE(v, vlek);
  auto d = expect_fail(v, "chip_ids = [\"" + hex_at(t.bytes, 0x1A0, 64) + "\"]\n", "policy.chip_id");
  EXPECT_NE(d.find("VLEK-signed"), std::string::npos) << d;
}

TEST(Appraisal, AuthorKeyDigest) {
  SAMPLE(s, milan_v3);
  const std::string digest = hex_at(s.bytes, 0x110, 48);
  const std::string toml = "author_key_digests = [\"" + digest + "\"]\n";
  auto d = expect_fail(s, toml, "policy.author_key_digest");  // AUTHOR_KEY_EN is 0 here
  EXPECT_NE(d.find("AUTHOR_KEY_EN is 0"), std::string::npos) << d;
  Sample a = s;
  a.bytes[0x48] |= 0x01;  // KEY_INFO.AUTHOR_KEY_EN
  expect_pass(a, toml, "policy.author_key_digest");
  expect_fail(a, "author_key_digests = [\"" + other_hex_at(s.bytes, 0x110, 48) + "\"]\n", "policy.author_key_digest");
}

TEST(Appraisal, Products) {
  SAMPLE(s, milan_v3);
  expect_pass(s, "products = [\"milan\"]\n", "policy.product");
  auto d = expect_fail(s, "products = [\"genoa\", \"turin\"]\n", "policy.product");
  EXPECT_NE(d.find("product milan is not one of products [genoa, turin]"), std::string::npos) << d;
}

TEST(Appraisal, SigningKeys) {
  SAMPLE(s, milan_v3);
  expect_pass(s, "signing_keys = [\"VCEK\"]\n", "policy.signing_key");
  expect_fail(s, "signing_keys = [\"VLEK\"]\n", "policy.signing_key");
  SAMPLE(v, vlek);
  expect_pass(v, "signing_keys = [\"VLEK\"]\n", "policy.signing_key");
}

TEST(Appraisal, MitigationVectors) {
  SAMPLE(t, [](const ManifestRow& r) { return r.report == "ms-tee-attestation-verification/turin_attestation_report.bin"; });
  const auto launch = le64(t.bytes, 0x1F8), current = le64(t.bytes, 0x200);
  ASSERT_NE(launch, 0u);
  expect_pass(t, "min_launch_mit_vector = " + std::to_string(launch) + "\n", "policy.launch_mit_vector");
  expect_fail(t, "min_launch_mit_vector = " + std::to_string(launch | (1ULL << 40)) + "\n", "policy.launch_mit_vector");
  expect_pass(t, "min_current_mit_vector = " + std::to_string(current) + "\n", "policy.current_mit_vector");
  auto d = expect_fail(t, "min_current_mit_vector = " + std::to_string(current | (1ULL << 40)) + "\n",
                       "policy.current_mit_vector");
  EXPECT_NE(d.find("missing 0x10000000000"), std::string::npos) << d;
  SAMPLE(old, milan_v3);
  d = expect_fail(old, "min_current_mit_vector = 1\n", "policy.current_mit_vector");
  EXPECT_NE(d.find("report version 3 has no CURRENT_MIT_VECTOR"), std::string::npos) << d;
}

TEST(Appraisal, RequiredPolicyBits) {
  SAMPLE(s, milan_v3);
  expect_pass(s, "required_policy_bits = [\"SMT\"]\n", "policy.policy_bits");
  auto d = expect_fail(s, "required_policy_bits = [\"PAGE_SWAP_DISABLE\", \"SMT\"]\n", "policy.policy_bits");
  EXPECT_NE(d.find("PAGE_SWAP_DISABLE (bit 25) 0"), std::string::npos) << d;
  EXPECT_NE(d.find("needs firmware ABI 1.58"), std::string::npos) << d;
  Sample ch = s;
  ch.bytes[0x08 + 3] |= 0x01;  // POLICY bit 24 CIPHERTEXT_HIDING
  expect_pass(ch, "required_policy_bits = [\"CIPHERTEXT_HIDING\"]\n", "policy.policy_bits");
}

TEST(Appraisal, RequiredPlatformBits) {
  SAMPLE(s, milan_v3);
  const auto info = le64(s.bytes, 0x40);
  ASSERT_TRUE(info & 1) << "SMT_EN";
  expect_pass(s, "required_platform_bits = [\"SMT_EN\"]\n", "policy.platform_bits");
  ASSERT_FALSE(info & 0x10);
  auto d = expect_fail(s, "required_platform_bits = [\"CIPHERTEXT_HIDING_DRAM_EN\"]\n", "policy.platform_bits");
  EXPECT_NE(d.find("requires CIPHERTEXT_HIDING_DRAM_EN"), std::string::npos) << d;
}

TEST(Appraisal, UnsetRulesAddNoCheck) {
  SAMPLE(s, milan_v3);
  auto report = snp::Report::parse(s.bytes);
  verify::Appraisal a = verify::appraise(*report, s.product, no_nonce_policy());
  std::vector<std::string> ids;
  for (const auto& c : a.checks.checks) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"policy.debug", "policy.migrate_ma", "policy.smt", "policy.single_socket"}));
}

}  // namespace
}  // namespace veritee::test
