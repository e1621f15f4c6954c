// The attester's and relying party's HTTP client (libcurl) against an HTTPS server with a test
// CA made by the openssl command: verified with --cacert, refused without it (the system store
// does not know the test CA) and refused for a server name the certificate does not carry.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "support/process.hpp"
#include "veritee/rats/attest_client.hpp"
#include "veritee/rats/http_client.hpp"
#include "veritee/rats/jwk.hpp"

namespace veritee::test {
namespace {

// A CA and a server certificate for 127.0.0.1 (IP SAN), as an operator would make them.
struct TestCa {
  TempDir dir;
  std::filesystem::path ca, cert, key;
  std::string error;
  TestCa() {
    ca = dir / "ca.pem";
    cert = dir / "server.pem";
    key = dir / "server.key";
    auto ext = dir.write("ext.cnf", std::string("subjectAltName=IP:127.0.0.1\n"));
    const std::vector<std::vector<std::string>> steps = {
        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
         (dir / "ca.key").string(), "-out", ca.string(), "-days", "2", "-subj", "/CN=veritee test CA"},
        {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.string(),
         "-out", (dir / "server.csr").string(), "-subj", "/CN=127.0.0.1"},
        {"x509", "-req", "-in", (dir / "server.csr").string(), "-CA", ca.string(), "-CAkey",
         (dir / "ca.key").string(), "-CAcreateserial", "-out", cert.string(), "-days", "2", "-extfile",
         ext.string()},
    };
    for (const auto& args : steps) {
      auto r = run_program("openssl", args);
      if (r.exit_code != 0) error += r.err;
    }
  }
};

TEST(TlsClient, VerifiesTheServerWithCacertAndRefusesWithout) {
  if (!have_program("openssl")) GTEST_SKIP() << "the openssl command is not installed";
  TestCa pki;
  ASSERT_TRUE(pki.error.empty()) << pki.error;
  httplib::SSLServer server(pki.cert.c_str(), pki.key.c_str());
  ASSERT_TRUE(server.is_valid());
  auto key = rats::SigningKey::generate(rats::JwsAlg::kES256);
  const std::string jwks = rats::Jwks::of(*key).to_json().dump();
  server.Get("/.well-known/jwks.json", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(jwks, "application/json");
  });
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const std::string base = "https://127.0.0.1:" + std::to_string(port);

  auto ok = rats::fetch_jwks(base + "/.well-known/jwks.json", std::chrono::seconds(10), pki.ca.string());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->keys().size(), 1u);
  rats::HttpRequestOptions o;
  o.ca_file = pki.ca.string();
  auto echo = rats::http_request("POST", base, "/echo", "{\"a\":1}", o);
  ASSERT_TRUE(echo) << echo.error().message;
  EXPECT_EQ(echo->status, 200);
  EXPECT_EQ(echo->body, "{\"a\":1}");

  auto refused = rats::fetch_jwks(base + "/.well-known/jwks.json", std::chrono::seconds(10));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kNetwork);
  // The certificate names 127.0.0.1, not localhost.
  auto wrong_name = rats::fetch_jwks("https://localhost:" + std::to_string(port) + "/.well-known/jwks.json",
                                     std::chrono::seconds(10), pki.ca.string());
  EXPECT_FALSE(wrong_name);
  // The CLI: check-result fetching the JWKS over https with and without --cacert (exit 4).
  const std::string token = std::string(80, 'e') + ".e30.AAAA";
  auto r = run_cli({"check-result", token, "--jwks", base + "/.well-known/jwks.json"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  r = run_cli({"check-result", token, "--jwks", base + "/.well-known/jwks.json", "--cacert", pki.ca.string()});
  EXPECT_NE(r.exit_code, 4) << r.err;  // the JWKS was fetched; the made-up token is not accepted
  EXPECT_NE(r.exit_code, 0) << r.out;
  server.stop();
  t.join();
}

}  // namespace
}  // namespace veritee::test
