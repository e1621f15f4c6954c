// The signing key's files: the same mode rule for --key and the state directory, and a state
// directory that exists is never chmodded (issue 11).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "veritee/rats/signing_key.hpp"

namespace veritee {
namespace {

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(KeyFiles, KeyReadableByOthersIsRefusedWhereverItLives) {
  test::TempDir dir;
  auto key = rats::SigningKey::generate(rats::JwsAlg::kES256);
  ASSERT_TRUE(key);
  auto path = dir.write("key.pem", key->private_pem());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto loaded = rats::SigningKey::load_file(path);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("chmod 600"), std::string::npos) << loaded.error().message;
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(rats::SigningKey::load_file(path));
}

TEST(KeyFiles, ExistingStateDirKeepsItsMode) {
  test::TempDir dir;
  const auto shared = dir / "shared";
  std::filesystem::create_directory(shared);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  ASSERT_TRUE(rats::SigningKey::load_or_create(shared, rats::JwsAlg::kES256));
  EXPECT_EQ(mode_of(shared), 01777U) << "an existing directory was chmodded";
  EXPECT_EQ(mode_of(shared / "signing-key.pem"), 0600U);

  const auto fresh = dir / "made" / "here";
  ASSERT_TRUE(rats::SigningKey::load_or_create(fresh, rats::JwsAlg::kES256));
  EXPECT_EQ(mode_of(fresh), 0700U);
}

TEST(KeyFiles, CliServeRefusesAKeyReadableByOthers) {
  test::TempDir dir;
  auto key = rats::SigningKey::generate(rats::JwsAlg::kES256);
  auto path = dir.write("key.pem", key->private_pem());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto policy = dir.write("p.toml", std::string(""));
  auto r = test::run_cli({"serve", "--policy", policy.string(), "--key", path.string(), "--offline",
                          "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace veritee
