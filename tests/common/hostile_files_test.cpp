// Inputs are read only from regular files and only up to a cap; outputs the user names are
// written to FIFOs and devices as they are; lock files never follow a planted symlink
// (issue 11, docs/limits.md).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "veritee/common/bytes.hpp"
#include "veritee/common/file_lock.hpp"

namespace veritee {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

// Reads everything a FIFO receives, in a thread (the writer's open blocks until it runs).
std::future<std::string> drain(const std::filesystem::path& fifo) {
  return std::async(std::launch::async, [fifo] {
    std::string got;
    int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::string("open failed");
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return got;
  });
}

TEST(HostileFiles, DevZeroIsRefusedAtOnce) {
  auto r = read_file("/dev/zero");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  EXPECT_NE(r.error().message.find("character device"), std::string::npos) << r.error().message;
}

TEST(HostileFiles, FifoIsRefusedWithoutWaitingForAWriter) {
  TempDir dir;
  const auto fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = read_file(fifo);  // would block forever in open(2) without O_NONBLOCK
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("FIFO"), std::string::npos) << r.error().message;
}

TEST(HostileFiles, DirectoryIsRefused) {
  TempDir dir;
  auto r = read_file(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
}

TEST(HostileFiles, LargeSparseFileIsRefusedBeforeReading) {
  TempDir dir;
  const auto big = dir / "sparse";
  int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t{1} << 30), 0);
  ::close(fd);
  auto r = read_file(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidInput);
  EXPECT_NE(r.error().message.find("1073741824 bytes"), std::string::npos) << r.error().message;
  // The cap is a parameter: a small one refuses a small file, exactly at the boundary.
  auto small = dir.write("small", std::string(100, 'x'));
  EXPECT_TRUE(read_file(small, 100));
  EXPECT_FALSE(read_file(small, 99));
}

TEST(HostileFiles, ReadFdStopsAtTheCap) {
  int fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto r = read_fd(fd, "stdin", 1 << 20);
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("larger than 1048576"), std::string::npos) << r.error().message;
}

TEST(HostileFiles, OutputToAFifoStaysAFifo) {
  TempDir dir;
  const auto fifo = dir / "out";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reader = drain(fifo);
  ASSERT_TRUE(write_output(fifo, as_bytes("hello\n")));
  EXPECT_EQ(reader.get(), "hello\n");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1) << "no temporary file left beside it";
}

TEST(HostileFiles, OutputToDevNullAndDashWritesDirectly) {
  struct stat before {}, after {};
  ASSERT_EQ(::stat("/dev/null", &before), 0);
  ASSERT_TRUE(write_output("/dev/null", as_bytes("x")));
  ASSERT_EQ(::stat("/dev/null", &after), 0);
  EXPECT_TRUE(S_ISCHR(after.st_mode));
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(HostileFiles, OutputToARegularFileOrNewPathIsAtomic) {
  TempDir dir;
  ASSERT_TRUE(write_output(dir / "new", as_bytes("one")));
  EXPECT_EQ(test::slurp(dir / "new"), Bytes({'o', 'n', 'e'}));
  ASSERT_TRUE(write_output(dir / "new", as_bytes("two")));
  EXPECT_EQ(test::slurp(dir / "new"), Bytes({'t', 'w', 'o'}));
  // Through a symlink the file it names is replaced and the link stays.
  std::filesystem::create_symlink(dir / "new", dir / "link");
  ASSERT_TRUE(write_output(dir / "link", as_bytes("three")));
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link"));
  EXPECT_EQ(test::slurp(dir / "new").size(), 5U);
}

TEST(HostileFiles, PlantedLockSymlinkCreatesNothing) {
  TempDir dir;
  const auto target = dir / "victim";
  std::filesystem::create_symlink(target, dir / "x.lock");
  auto lock = FileLock::acquire(dir / "x.lock");
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("symlink"), std::string::npos) << lock.error().message;
  EXPECT_FALSE(std::filesystem::exists(target)) << "the symlink's target was created";
}

TEST(HostileFiles, PlantedLockFifoIsRefusedAtOnce) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "x.lock").c_str(), 0600), 0);
  auto lock = FileLock::acquire(dir / "x.lock");
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find("not a regular file"), std::string::npos);
}

TEST(HostileFiles, LockWaitHasATimeout) {
  TempDir dir;
  auto first = FileLock::acquire(dir / "x.lock");
  ASSERT_TRUE(first);
  bool waited = false;
  auto second = FileLock::acquire(dir / "x.lock", [&] { waited = true; }, 100ms);
  ASSERT_FALSE(second);
  EXPECT_TRUE(waited);
  EXPECT_NE(second.error().message.find("gave up waiting"), std::string::npos);
}

// The CLI: show of /dev/zero, a FIFO and a 1 GiB sparse file exit 2 at once (no hang: a FIFO
// with no writer would block forever; /dev/zero would grow without bound).
// /dev/zero, a FIFO with no writer and a 1 GiB sparse file, made in `dir`.
std::vector<std::string> hostile_inputs(const TempDir& dir) {
  const auto fifo = dir / "fifo";
  EXPECT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto big = dir / "sparse";
  int fd = ::open(big.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::ftruncate(fd, off_t{1} << 30), 0);
  ::close(fd);
  return {"/dev/zero", fifo.string(), big.string()};
}

TEST(HostileFiles, CliShowRefusesNonRegularAndHugeInputs) {
  TempDir dir;
  for (const std::string& input : hostile_inputs(dir)) {
    auto r = test::run_cli({"show", input});
    EXPECT_EQ(r.exit_code, 2) << input << "\n" << r.err;
    EXPECT_NE(r.err.find(input), std::string::npos) << r.err;
  }
}

// verify --files-from is an input like any other: a FIFO, /dev/zero and a 1 GiB sparse list are
// refused at once (exit 2), naming the flag.
TEST(HostileFiles, CliFilesFromRefusesNonRegularAndHugeLists) {
  TempDir dir;
  for (const std::string& list : hostile_inputs(dir)) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = test::run_cli({"verify", "--offline", "--files-from", list});
    EXPECT_EQ(r.exit_code, 2) << list << "\n" << r.err;
    EXPECT_NE(r.err.find("--files-from"), std::string::npos) << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s) << list;
  }
}

}  // namespace
}  // namespace veritee
