// The CLI's endorsement paths against the loopback mock KDS: verify online and from the cache,
// --offline, fetch, bundle then offline verification, and two processes sharing one cache.
#include <gtest/gtest.h>

#include <cstdlib>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "kds_fixtures.hpp"
#include "support/process.hpp"

namespace veritee {
namespace {

using namespace std::chrono_literals;

#define REQUIRE(sample) \
  if (!(sample)) GTEST_SKIP() << "evidence corpus not found: sample needed"

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

class CliEndorsements : public testing::Test {
 protected:
  void SetUp() override {
    sample_ = test::milan_sample();
    if (!sample_) GTEST_SKIP() << "evidence corpus not found";
    sample_->serve(mock_);
    unsetenv("VERITEE_KDS_URL");
    setenv("VERITEE_CACHE_DIR", (stray_.path() / "cache").c_str(), 1);
  }
  // Common flags: the mock, a private cache, no rate limit, short timeouts.
  std::vector<std::string> net(std::vector<std::string> args) const {
    args.insert(args.end(), {"--kds-url", mock_.url(), "--cache-dir", cache_.path().string(),
                             "--rate-limit", "0", "--kds-timeout", "5"});
    return args;
  }
  std::string report() const { return sample_->report_file.string(); }

  std::optional<test::Sample> sample_;
  test::MockKds mock_;
  test::TempDir cache_;
  test::TempDir stray_;  // where a default cache would go: must stay empty
};

TEST_F(CliEndorsements, VerifyJustWorksOnlineThenFromTheCache) {
  auto first = test::run_cli(net({"verify", "--no-crl", report()}));
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_TRUE(contains(first.out, "endorsement: VCEK from KDS " + mock_.url())) << first.out;
  EXPECT_TRUE(contains(first.out, "revocation not checked: --no-crl")) << first.out;
  EXPECT_TRUE(contains(first.err, "GET " + mock_.url())) << first.err;

  auto second = test::run_cli(net({"verify", "--no-crl", "--json", report()}));
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(contains(second.out, "\"source\": \"cache " + cache_.path().string()))
      << second.out;
  EXPECT_EQ(mock_.requests(), 1U);
  EXPECT_TRUE(mock_.errors().empty());
  EXPECT_FALSE(std::filesystem::exists(stray_.path() / "cache"));
}

TEST_F(CliEndorsements, OfflineWithAnEmptyCacheIsExit3NamingTheVcek) {
  auto r = test::run_cli(net({"verify", "--offline", report()}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "no VCEK")) << r.err;
  EXPECT_TRUE(contains(r.err, "--offline")) << r.err;
  EXPECT_EQ(mock_.requests(), 0U);
}

TEST_F(CliEndorsements, CrlIsCheckedByDefaultOnline) {
  // KDS serves a CRL nobody at AMD signed: verification stops with exit 3, naming it.
  auto pki = test::pki_sample();
  ASSERT_TRUE(pki);
  const auto now = std::chrono::system_clock::now();
  mock_.add("/vcek/v1/Milan/crl", test::pki_crl(*pki, now - 24h, now + 24h));
  auto r = test::run_cli(net({"verify", report()}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "CRL")) << r.err;
  EXPECT_TRUE(contains(r.err, "not signed by the pinned ARK-Milan")) << r.err;
  EXPECT_EQ(mock_.requests("/vcek/v1/Milan/crl"), 1U);
}

TEST_F(CliEndorsements, ExplicitFilesStayOffline) {
  setenv("VERITEE_KDS_URL", mock_.url().c_str(), 1);
  test::TempDir files;
  auto vcek = files.write("vcek.der", sample_->vcek.der());
  auto r = test::run_cli({"verify", "--vcek", vcek.string(), report()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "SKIP  chain.crl")) << r.out;
  EXPECT_FALSE(contains(r.out, "endorsement:")) << r.out;
  EXPECT_EQ(mock_.requests(), 0U);
  EXPECT_FALSE(std::filesystem::exists(stray_.path() / "cache"));
}

TEST_F(CliEndorsements, FetchWritesWhatKdsServes) {
  test::TempDir out;
  auto vcek = test::run_cli(net({"fetch", "vcek", report(), "--out", (out / "vcek.der").string()}));
  ASSERT_EQ(vcek.exit_code, 0) << vcek.err;
  EXPECT_EQ(test::slurp(out / "vcek.der"), sample_->vcek.der());
  auto chain = test::run_cli(
      net({"fetch", "chain", "--product", "milan", "--out", (out / "chain.pem").string()}));
  ASSERT_EQ(chain.exit_code, 0) << chain.err;
  EXPECT_EQ(test::slurp(out / "chain.pem"), sample_->chain_pem);
  auto pem = test::run_cli(net({"fetch", "vcek", report()}));
  ASSERT_EQ(pem.exit_code, 0) << pem.err;
  EXPECT_TRUE(pem.out.starts_with("-----BEGIN CERTIFICATE-----")) << pem.out;
  EXPECT_EQ(mock_.requests(), 2U) << "the third fetch came from the cache";
}

TEST_F(CliEndorsements, FetchRefusesAnotherChipsVcekAndStoresNothing) {
  mock_.inject("/vcek/v1/Milan/", {.body = test::other_milan_vcek().value().der()});
  test::TempDir out;
  auto r = test::run_cli(net({"fetch", "vcek", report(), "--out", (out / "v.der").string()}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(contains(r.err, "another chip")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "v.der"));
  EXPECT_TRUE(test::cache_contents(cache_.path()).objects.empty());
}

TEST_F(CliEndorsements, BundleThenVerifyOffline) {
  test::TempDir bundle;
  auto b = test::run_cli(net({"bundle", "--no-crl", report(), "--out", bundle.path().string()}));
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  EXPECT_TRUE(contains(b.out, "vcek/milan/")) << b.out;
  EXPECT_TRUE(contains(b.out, "chain/milan/vcek")) << b.out;

  test::TempDir empty_cache;
  auto v = test::run_cli({"verify", "--offline", "--no-crl", "--endorsements",
                          bundle.path().string(), "--cache-dir", empty_cache.path().string(),
                          report()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_TRUE(contains(v.out, "endorsement: VCEK from bundle " + bundle.path().string()))
      << v.out;
  EXPECT_TRUE(contains(v.out, "endorsement: chain from bundle")) << v.out;
}

TEST_F(CliEndorsements, TwoProcessesOneRequest) {
  // Both start against an empty cache while KDS is slow; the per-entry lock makes the second
  // wait for the first and read what it stored.
  mock_.set_delay(400ms);
  auto run = [&] { return test::run_cli(net({"verify", "--no-crl", report()})); };
  auto a = std::async(std::launch::async, run);
  auto b = std::async(std::launch::async, run);
  auto ra = a.get();
  auto rb = b.get();
  EXPECT_EQ(ra.exit_code, 0) << ra.err;
  EXPECT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_EQ(mock_.requests("/vcek/"), 1U);
  const bool one_from_cache = contains(ra.out, "VCEK from cache") || contains(rb.out, "VCEK from cache");
  EXPECT_TRUE(one_from_cache) << ra.out << rb.out;
}

// An --offline process is not slowed by an online one whose KDS hangs, on the same cache (issue
// 11): the online one holds the CRL entry's fetch lease while it waits, never the entry's lock.
TEST_F(CliEndorsements, OfflineIsNotSlowedByAnOnlineProcessWhoseKdsHangs) {
  ASSERT_EQ(test::run_cli(net({"verify", "--no-crl", report()})).exit_code, 0);  // the VCEK, cached
  // A KDS that accepts connections (the listen backlog) and never answers.
  const int hang = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(hang, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(hang, 16), 0);
  ASSERT_EQ(::getsockname(hang, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string hanging = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  // Online, CRL checking on: it waits for the CRL (30 s per attempt).
  const int online = test::spawn_quiet({test::cli_path(), "verify", "--kds-url", hanging, "--cache-dir",
                                        cache_.path().string(), "--rate-limit", "0", report()});
  ASSERT_GT(online, 0);
  std::this_thread::sleep_for(1500ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto offline = test::run_cli({"verify", "--offline", "--cache-dir", cache_.path().string(), report()});
  const auto took = std::chrono::steady_clock::now() - t0;
  int status = 0;
  const bool still_waiting = ::waitpid(online, &status, WNOHANG) == 0;
  ::kill(online, SIGKILL);
  ::waitpid(online, &status, 0);
  ::close(hang);
  EXPECT_TRUE(still_waiting) << "the online process was still waiting for KDS";
  EXPECT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  EXPECT_TRUE(contains(offline.out, "VCEK from cache")) << offline.out;
  EXPECT_LT(took, 3s) << "the offline process waited for the online one";
}

TEST_F(CliEndorsements, FetchOutToAFifoAndStdoutLeavesThemWhatTheyWere) {
  test::TempDir out;
  const auto fifo = out.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reader = std::async(std::launch::async, [&] {
    std::size_t got = 0;
    int fd = ::open(fifo.c_str(), O_RDONLY | O_CLOEXEC);
    char buf[4096];
    for (ssize_t n; fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0;) got += static_cast<std::size_t>(n);
    if (fd >= 0) ::close(fd);
    return got;
  });
  auto r = test::run_cli(net({"fetch", "vcek", report(), "--out", fifo.string()}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(reader.get(), 100U) << "the VCEK went through the FIFO";
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";

  // stdout is a captured regular file here: written through the descriptor, not renamed over.
  auto s = test::run_cli(net({"fetch", "vcek", report(), "--out", "/dev/stdout"}));
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_GT(s.out.size(), 100U) << "the DER went to stdout";
}

}  // namespace
}  // namespace veritee
