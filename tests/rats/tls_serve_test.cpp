// `veritee serve --tls-cert --tls-key` (issue 15): HTTPS with TLS 1.2 and 1.3 only. The test CA
// and server certificate are made here with the openssl command; curl and `openssl s_client`
// are the clients, each offering one protocol version.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "rats/serve_process.hpp"
#include "support/process.hpp"

namespace veritee::test {
namespace {

struct TestCa {
  std::string ca, cert, key;
};

// A CA and a certificate for 127.0.0.1 signed by it (P-256), in `dir`; ADD_FAILURE on error.
TestCa make_ca(const TempDir& dir) {
  TestCa out{(dir / "ca.pem").string(), (dir / "server.pem").string(), (dir / "server.key").string()};
  const std::string ca_key = (dir / "ca.key").string(), csr = (dir / "server.csr").string();
  const auto ext = dir.write("ext.cnf", std::string("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"));
  const std::vector<std::vector<std::string>> steps = {
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out",
       out.ca, "-days", "2", "-subj", "/CN=veritee test CA"},
      {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", out.key, "-out", csr,
       "-subj", "/CN=127.0.0.1"},
      {"x509", "-req", "-in", csr, "-CA", out.ca, "-CAkey", ca_key, "-CAcreateserial", "-out", out.cert, "-days",
       "2", "-extfile", ext.string()},
  };
  for (const auto& args : steps) {
    auto r = run_program("openssl", args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  return out;
}

TEST(TlsServe, HealthzOverTls12And13AndTls11Refused) {
  if (!have_program("openssl") || !have_program("curl")) GTEST_SKIP() << "needs the openssl and curl commands";
  TempDir dir;
  const TestCa ca = make_ca(dir);
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ServeProcess serve({"--listen", "127.0.0.1:0", "--policy", policy.string(), "--state-dir",
                      (dir / "state").string(), "--offline", "--tls-cert", ca.cert, "--tls-key", ca.key});
  ASSERT_NE(serve.port(), 0) << serve.err();
  const std::string url = "https://127.0.0.1:" + std::to_string(serve.port()) + "/healthz";

  for (const char* version : {"1.2", "1.3"}) {
    SCOPED_TRACE(version);
    auto r = run_program("curl", {"-sS", "--cacert", ca.ca, std::string("--tlsv") + version, "--tls-max", version,
                                  "-w", "\n%{http_code}", url});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"ok\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\n200"), std::string::npos) << r.out;
  }
  // A client that offers only TLS 1.1 (its own security level lowered so that it really does).
  auto old = run_program("openssl", {"s_client", "-connect", "127.0.0.1:" + std::to_string(serve.port()),
                                     "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", ca.ca});
  EXPECT_NE(old.exit_code, 0) << old.out;
  EXPECT_NE(old.out.find("Cipher is (NONE)"), std::string::npos) << "no TLS 1.1 session: " << old.out;
  // Plain HTTP on the HTTPS port is no answer.
  auto plain = run_program("curl", {"-sS", "-m", "5", "http://127.0.0.1:" + std::to_string(serve.port()) + "/healthz"});
  EXPECT_EQ(plain.out.find("\"ok\""), std::string::npos) << plain.out;

  EXPECT_EQ(serve.terminate(), 0) << serve.err();
}

TEST(TlsServe, CertificateWithoutKeyIsAUsageError) {
  TempDir dir;
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  auto r = run_cli({"serve", "--policy", policy.string(), "--state-dir", (dir / "s").string(), "--offline",
                    "--tls-cert", policy.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--tls-key"), std::string::npos) << r.err;
  // Not a certificate: refused at start, not a server that never answers.
  auto not_a_key = dir.write("not-a-key.pem", std::string("nope\n"));
  ASSERT_EQ(::chmod(not_a_key.c_str(), 0600), 0);
  r = run_cli({"serve", "--policy", policy.string(), "--state-dir", (dir / "s").string(), "--offline",
               "--listen", "127.0.0.1:0", "--tls-cert", policy.string(), "--tls-key", not_a_key.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("HTTPS"), std::string::npos) << r.err;
  r = run_cli({"serve", "--policy", policy.string(), "--state-dir", (dir / "s").string(), "--offline",
               "--max-connections", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_cli({"serve", "--policy", policy.string(), "--state-dir", (dir / "s").string(), "--offline",
               "--client-rate", "-1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

// The TLS key is a private key like the EAR signing key: the same mode rule (read_private_file).
TEST(TlsServe, KeyReadableByOthersIsRefused) {
  if (!have_program("openssl")) GTEST_SKIP() << "needs the openssl command";
  TempDir dir;
  const TestCa ca = make_ca(dir);
  auto policy = dir.write("policy.toml", std::string("require_nonce = false\n"));
  ASSERT_EQ(::chmod(ca.key.c_str(), 0640), 0);
  auto r = run_cli({"serve", "--policy", policy.string(), "--state-dir", (dir / "s").string(), "--offline",
                    "--listen", "127.0.0.1:0", "--tls-cert", ca.cert, "--tls-key", ca.key});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--tls-key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace veritee::test
