// What an offline `veritee verify` maps (issue 16, "CLI footprint"): libcurl, tpm2-tss, the
// service's libmicrohttpd (with GnuTLS) and the fleet's hiredis are loaded on first use
// (veritee/common/shared_library.hpp), so a verification from files never maps them nor the
// Kerberos, LDAP, SSH, PKCS#11 and IDN libraries behind them (docs/performance.md); nor,
// where the CLI links libstdc++ statically, libstdc++.so and libm.
// The dynamic loader says which files it loaded, dlopen'ed ones included, under LD_DEBUG=files.
#include <string>

#include <gtest/gtest.h>

#include "support/process.hpp"

namespace veritee {
namespace {

std::string sample(const std::string& name) {
  return std::string(VERITEE_SOURCE_DIR) + "/samples/turin-v5/" + name;
}

TEST(CliFootprint, OfflineVerifyMapsNoNetworkOrServiceLibraries) {
  auto r = test::run_program("/usr/bin/env", {"LD_DEBUG=files", test::cli_path(), "verify",
                                              "--offline", "--vcek", sample("vcek.pem"),
                                              sample("report.bin")});
  // The verdict is not the point here; the command must have run to its end.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 5)
      << "exit " << r.exit_code << "\n" << r.out << "\n" << r.err.substr(0, 4000);
  if (r.err.find("file=libcrypto.so") == std::string::npos) {
    GTEST_SKIP() << "the dynamic loader printed no LD_DEBUG=files trace";
  }
  EXPECT_EQ(r.err.find("file=libcurl"), std::string::npos) << r.err.substr(0, 4000);
  EXPECT_EQ(r.err.find("file=libtss2"), std::string::npos) << r.err.substr(0, 4000);
  for (const char* behind_curl : {"file=libgssapi", "file=libkrb5", "file=libldap", "file=libssh2",
                                  "file=librtmp", "file=libpsl", "file=libmicrohttpd",
                                  "file=libgnutls", "file=libp11-kit", "file=libidn2",
                                  "file=libhiredis"}) {
    EXPECT_EQ(r.err.find(behind_curl), std::string::npos) << behind_curl << "\n" << r.err.substr(0, 4000);
  }
#if VERITEE_CLI_STATIC_LIBSTDCXX
  // The CLI links libstdc++ statically and every library it maps is a C library (toml++ is
  // header-only), so the dynamic loader never reads libstdc++.so's symbol tables.
  EXPECT_EQ(r.err.find("file=libstdc++"), std::string::npos) << r.err.substr(0, 4000);
  EXPECT_EQ(r.err.find("file=libtomlplusplus"), std::string::npos) << r.err.substr(0, 4000);
  // Linked --as-needed, and nothing in it calls libm (whose IFUNC resolvers would run at start).
  EXPECT_EQ(r.err.find("file=libm.so"), std::string::npos) << r.err.substr(0, 4000);
#endif
}

}  // namespace
}  // namespace veritee
