// Hex and base64 text, file reading and atomic writes.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee {
namespace {

using test::TempDir;

Bytes random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

TEST(Hex, KnownValues) {
  EXPECT_EQ(to_hex(Bytes{}), "");
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0F, 0xA0, 0xFF}), "000fa0ff");
  auto b = from_hex("000FA0ff");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(*b, (Bytes{0x00, 0x0F, 0xA0, 0xFF}));
}

TEST(Hex, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes data = random_bytes(n, static_cast<unsigned>(n));
    std::string text = to_hex(data);
    EXPECT_EQ(text.size(), 2 * n);
    auto back = from_hex(text);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, data) << "length " << n;
  }
}

TEST(Hex, IgnoresWhitespaceBetweenDigits) {
  auto b = from_hex(" 01 02\n0a\r\n\t0B \n");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(*b, (Bytes{0x01, 0x02, 0x0A, 0x0B}));
}

TEST(Hex, RejectsOddCountAndNonHex) {
  for (std::string_view bad : {"0", "abc", "0g", "zz", "0x01", "01-02", "é1"}) {
    auto b = from_hex(bad);
    ASSERT_FALSE(b.has_value()) << "accepted " << bad;
    EXPECT_EQ(b.error().code, Errc::kInvalidInput) << bad;
    EXPECT_FALSE(b.error().message.empty());
  }
}

TEST(Base64, KnownValuesRfc4648) {
  // RFC 4648 section 10 test vectors.
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(to_base64(as_bytes(plain)), encoded);
    auto back = from_base64(encoded);
    ASSERT_TRUE(back.has_value()) << encoded << ": " << back.error().message;
    EXPECT_EQ(std::string(back->begin(), back->end()), plain);
  }
}

TEST(Base64, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes data = random_bytes(n, static_cast<unsigned>(1000 + n));
    std::string text = to_base64(data);
    EXPECT_EQ(text.size() % 4, 0U);
    auto back = from_base64(text);
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, data) << "length " << n;
  }
}

TEST(Base64, AcceptsUrlSafeUnpaddedAndWhitespace) {
  Bytes data = {0xFB, 0xFF, 0xBF, 0x00, 0x01};  // exercises '+', '/' and padding
  std::string std_text = to_base64(data);
  EXPECT_NE(std_text.find_first_of("+/"), std::string::npos) << std_text;
  std::string url = to_base64url(data);
  EXPECT_EQ(url.find_first_of("+/="), std::string::npos) << url;
  for (const std::string& variant : {std_text, url, std_text.substr(0, std_text.find('=')),
                                     std_text.substr(0, 3) + "\n" + std_text.substr(3) + "\n"}) {
    auto back = from_base64(variant);
    ASSERT_TRUE(back.has_value()) << variant << ": " << back.error().message;
    EXPECT_EQ(*back, data) << variant;
  }
}

TEST(Base64, UrlKnownValue) {
  EXPECT_EQ(to_base64url(as_bytes("foob")), "Zm9vYg");
  EXPECT_EQ(to_base64url(Bytes{0xFB, 0xFF}), "-_8");
}

TEST(Base64, RejectsBadInput) {
  for (std::string_view bad : {"Z", "Zm9v!", "Zm9vY===", "Zm\x01v", "====", "Zg=x", "Z=g="}) {
    auto b = from_base64(bad);
    EXPECT_FALSE(b.has_value()) << "accepted \"" << bad << "\"";
    if (!b) {
      EXPECT_EQ(b.error().code, Errc::kInvalidInput);
    }
  }
}

TEST(AllZero, Basics) {
  EXPECT_TRUE(all_zero(Bytes{}));
  EXPECT_TRUE(all_zero(Bytes(64, 0)));
  Bytes b(64, 0);
  b[63] = 1;
  EXPECT_FALSE(all_zero(b));
}

TEST(ErrcNames, AreDistinctAndNonEmpty) {
  std::set<std::string_view> names;
  for (Errc c : {Errc::kInvalidInput, Errc::kTruncated, Errc::kUnknownVersion,
                 Errc::kUnknownProduct, Errc::kEndorsementMissing, Errc::kEndorsementInvalid,
                 Errc::kCrypto, Errc::kIo, Errc::kNetwork, Errc::kUnsupported}) {
    auto name = to_string(c);
    EXPECT_FALSE(name.empty());
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 10U);
}

TEST(ReadFile, ReadsExactBytesAndNamesMissingPath) {
  TempDir dir;
  Bytes data = random_bytes(5000, 7);
  data[10] = 0;  // embedded NULs survive
  auto p = dir.write("blob.bin", data);
  auto got = read_file(p);
  ASSERT_TRUE(got.has_value()) << got.error().message;
  EXPECT_EQ(*got, data);

  auto missing = read_file(dir / "nope.bin");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::kIo);
  EXPECT_NE(missing.error().message.find("nope.bin"), std::string::npos)
      << missing.error().message;
}

TEST(WriteFileAtomic, WritesNewFileWithMode) {
  TempDir dir;
  Bytes data = random_bytes(3000, 11);
  auto p = dir / "out.bin";
  auto r = write_file_atomic(p, data, 0600);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(test::slurp(p), data);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  EXPECT_EQ(listing(dir.path()), std::set<std::string>{"out.bin"}) << "no temporary left behind";
}

TEST(WriteFileAtomic, ReplacesExistingFileWhole) {
  TempDir dir;
  auto p = dir.write("out.bin", random_bytes(10000, 1));
  Bytes shorter = random_bytes(100, 2);
  auto r = write_file_atomic(p, shorter);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(test::slurp(p), shorter);
  auto empty = write_file_atomic(p, Bytes{});
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_TRUE(test::slurp(p).empty());
  EXPECT_EQ(listing(dir.path()), std::set<std::string>{"out.bin"});
}

TEST(WriteFileAtomic, MissingDirectoryIsIoErrorAndCreatesNothing) {
  TempDir dir;
  auto r = write_file_atomic(dir / "no-such-dir" / "out.bin", Bytes{1, 2, 3});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kIo);
  EXPECT_TRUE(listing(dir.path()).empty());
}

TEST(WriteFileAtomic, FailedRenameLeavesTargetAndNoTemporary) {
  // The target is a non-empty directory: the rename at the end must fail, and the temporary
  // written before it must be removed.
  TempDir dir;
  auto target = dir / "target";
  std::filesystem::create_directory(target);
  dir.write("target/keep", std::string("keep"));
  auto r = write_file_atomic(target, random_bytes(100, 3));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kIo);
  EXPECT_TRUE(std::filesystem::is_directory(target));
  EXPECT_EQ(listing(dir.path()), std::set<std::string>{"target"});
}

TEST(WriteFileAtomic, WriteErrorMidFileKeepsOldContent) {
  // RLIMIT_FSIZE makes write() fail with EFBIG part-way through (in a child process, so the
  // limit does not leak into the test runner). The old file must be intact and no temporary
  // left beside it.
  TempDir dir;
  Bytes old_content = random_bytes(64, 4);
  auto p = dir.write("out.bin", old_content);
  Bytes big = random_bytes(64 * 1024, 5);

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &lim);
    auto r = write_file_atomic(p, big);
    _exit(r.has_value() ? 10 : (r.error().code == Errc::kIo ? 0 : 11));
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 10) << "write_file_atomic reported success past RLIMIT_FSIZE";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the error should be Errc::kIo";
  EXPECT_EQ(test::slurp(p), old_content);
  EXPECT_EQ(listing(dir.path()), std::set<std::string>{"out.bin"}) << "no temporary left behind";
}

}  // namespace
}  // namespace veritee
