// Appraisal policy TOML: the example file loads with every key, and each kind of mistake is an
// error naming the line.
#include <gtest/gtest.h>

#include <filesystem>

#include "veritee/rats/policy_file.hpp"

namespace veritee::rats {
namespace {

std::string parse_error(std::string_view text) {
  auto p = parse_policy(text, "p.toml");
  EXPECT_FALSE(p) << "accepted: " << text;
  return p ? "" : p.error().message;
}

TEST(Policy, DefaultsWhenEmpty) {
  auto p = parse_policy("", "empty.toml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->require_nonce);
  EXPECT_FALSE(p->allow_debug);
  EXPECT_FALSE(p->allow_migrate_ma);
  EXPECT_TRUE(p->allow_smt);
  EXPECT_FALSE(p->require_single_socket);
  EXPECT_TRUE(p->id.starts_with("sha256:"));
  EXPECT_EQ(p->id.size(), 7u + 64u);
}

TEST(Policy, ExampleFileHasEveryKey) {
  auto p = load_policy_file(std::filesystem::path(VERITEE_SOURCE_DIR) / "examples/policy.toml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->id, "https://example.com/policies/prod-guests/v3");
  EXPECT_TRUE(p->require_nonce);
  ASSERT_TRUE(p->min_abi);
  EXPECT_EQ(p->min_abi->first, 0);
  EXPECT_EQ(p->min_abi->second, 31);
  EXPECT_EQ(p->min_tcb.all.snp, 8);
  EXPECT_EQ(p->min_tcb.for_product(snp::Product::kTurin).fmc, 1);
  EXPECT_EQ(p->min_tcb.for_product(snp::Product::kMilan).ucode, 115);
  EXPECT_EQ(p->min_launch_tcb.all.snp, 8);
  EXPECT_EQ(p->min_guest_svn, 1u);
  EXPECT_EQ(p->min_build, 21);
  ASSERT_TRUE(p->min_version);
  EXPECT_EQ(p->min_version->minor, 55);
  EXPECT_EQ(p->vmpl, std::vector<std::uint32_t>{0});
  EXPECT_EQ(p->measurements.size(), 1u);
  EXPECT_TRUE(p->host_data && p->family_id && p->image_id && p->report_id && p->report_id_ma);
  EXPECT_EQ(p->id_key_digests.size(), 1u);
  EXPECT_TRUE(p->author_key_digests.empty());  // commented out: the sample has no author key
  EXPECT_EQ(p->chip_ids.front().size(), 8u);
  EXPECT_EQ(p->products.size(), 3u);
  EXPECT_EQ(p->signing_keys.size(), 2u);
  EXPECT_EQ(p->min_launch_mit_vector, 1u);
  EXPECT_EQ(p->min_current_mit_vector, 1u);
  ASSERT_EQ(p->required_policy_bits.size(), 2u);
  EXPECT_EQ(p->required_policy_bits[0].bit, 16u);  // SMT
  EXPECT_EQ(p->required_policy_bits[1].bit, 17u);  // RESERVED_MBO
  ASSERT_EQ(p->required_platform_bits.size(), 2u);
  EXPECT_EQ(p->required_platform_bits[1].bit, 5u);  // ALIAS_CHECK_COMPLETE
}

TEST(Policy, UnknownKeyNamesTheLine) {
  auto e = parse_error("require_nonce = true\n\nallow_debg = true\n");
  EXPECT_NE(e.find("p.toml:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("allow_debg"), std::string::npos) << e;
}

TEST(Policy, UnknownKeyInsideATable) {
  auto e = parse_error("[min_tcb]\nbl = 1\nblx = 2\n");
  EXPECT_NE(e.find("p.toml:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("min_tcb.blx"), std::string::npos) << e;
  e = parse_error("[min_tcb.milan]\nfmcc = 1\n");
  EXPECT_NE(e.find("p.toml:2:"), std::string::npos) << e;
}

TEST(Policy, WrongTypeNamesTheLineAndTypes) {
  auto e = parse_error("allow_debug = \"yes\"\n");
  EXPECT_NE(e.find("p.toml:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("expected true or false, got a string"), std::string::npos) << e;
  e = parse_error("\nmin_guest_svn = 1.5\n");
  EXPECT_NE(e.find("p.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("got a float"), std::string::npos) << e;
  e = parse_error("measurements = \"00\"\n");
  EXPECT_NE(e.find("expected an array"), std::string::npos) << e;
  e = parse_error("min_tcb = 3\n");
  EXPECT_NE(e.find("expected a table"), std::string::npos) << e;
}

TEST(Policy, RangesAndSizes) {
  EXPECT_NE(parse_error("[min_tcb]\nsnp = 256\n").find("outside 0..255"), std::string::npos);
  EXPECT_NE(parse_error("vmpl = 4\n").find("outside 0..3"), std::string::npos);
  EXPECT_NE(parse_error("vmpl = [0, 7]\n").find("vmpl[1]"), std::string::npos);
  EXPECT_NE(parse_error("host_data = \"abcd\"\n").find("expected 32 bytes of hex, got 2"), std::string::npos);
  EXPECT_NE(parse_error("measurements = [\"zz\"]\n").find("not hex"), std::string::npos);
  EXPECT_NE(parse_error("chip_ids = [\"00\"]\n").find("64 or 8 bytes"), std::string::npos);
  EXPECT_NE(parse_error("min_guest_svn = -1\n").find("outside"), std::string::npos);
  EXPECT_NE(parse_error("min_abi = \"1\"\n").find("must have 2"), std::string::npos);
  EXPECT_NE(parse_error("min_version = \"1.x\"\n").find("not a version"), std::string::npos);
  EXPECT_NE(parse_error("measurements = []\n").find("empty list"), std::string::npos);
  EXPECT_NE(parse_error("products = [\"rome\"]\n").find("unknown product"), std::string::npos);
  EXPECT_NE(parse_error("signing_keys = [\"ARK\"]\n").find("unknown signing key"), std::string::npos);
  EXPECT_NE(parse_error("required_policy_bits = [\"NOPE\"]\n").find("PAGE_SWAP_DISABLE"), std::string::npos);
}

TEST(Policy, SyntaxErrorNamesTheLine) {
  auto e = parse_error("require_nonce = true\nallow_debug = \n");
  EXPECT_NE(e.find("p.toml:2:"), std::string::npos) << e;
}

TEST(Policy, CaseInsensitiveNamesAndHex) {
  auto p = parse_policy("signing_keys = [\"vlek\"]\nrequired_platform_bits = [\"tsme_en\"]\n"
                        "host_data = \"ABCDEF0000000000000000000000000000000000000000000000000000000000\"\n",
                        "p.toml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->signing_keys.front(), snp::SigningKey::kVlek);
  EXPECT_EQ(p->required_platform_bits.front().name, "TSME_EN");
  EXPECT_EQ((*p->host_data)[0], 0xAB);
}

}  // namespace
}  // namespace veritee::rats
