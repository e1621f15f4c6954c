// DCAP collateral from a loopback Intel PCS (FakePcs, serving corpus-dcap collateral at the PCS
// v4 paths): `veritee fetch collateral` and `verify` without --collateral give what the file
// gives; the cache then answers offline; faults (404, 500, 429 with Retry-After, a truncated
// body, a hang, garbage, a missing issuer-chain header, a wrong FMSPC, a broken signature) are
// clear errors with exit 3 and never leave anything in the cache.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "support/process.hpp"
#include "support/dcap_corpus.hpp"
#include "tdx/fake_pcs.hpp"
#include "veritee/endorse/endorsement_cache.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/endorse/pcs.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::tdx {
namespace {

using test::FakePcs;
using test::kTdxSampleAt;
using test::kTdxSampleCollateral;
using test::kTdxSampleQuote;
using test::PcsFault;
using test::run_cli;
using test::TempDir;

constexpr const char* kSgxQuote = "dcap-qvl/sample/sgx_quote";
constexpr const char* kSgxCollateral = "dcap-qvl/sample/sgx_quote_collateral.json";
constexpr const char* kOtherFmspcCollateral = "go-tdx-guest/extracted/collateral_50806f000000.json";

Collateral corpus_collateral(const char* relative) {
  return load_collateral_file(test::dcap::corpus_path(relative)).value();
}

std::string path_of(const char* relative) { return test::dcap::corpus_path(relative).string(); }

std::vector<std::string> net_flags(const FakePcs& pcs, const TempDir& cache) {
  return {"--pcs-url", pcs.url(), "--cache-dir", (cache / "cache").string(), "--rate-limit", "0"};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(PcsPaths, AreIntelsV4Paths) {
  CollateralRequest r{Tee::kTdx, Bytes{0xb0, 0xc0, 0x6f, 0x00, 0x00, 0x00}, PckCa::kPlatform};
  EXPECT_EQ(endorse::pcs_tcb_path(r), "/tdx/certification/v4/tcb?fmspc=B0C06F000000");
  EXPECT_EQ(endorse::pcs_qe_identity_path(Tee::kTdx), "/tdx/certification/v4/qe/identity");
  EXPECT_EQ(endorse::pcs_qe_identity_path(Tee::kSgx), "/sgx/certification/v4/qe/identity");
  EXPECT_EQ(endorse::pcs_pck_crl_path(PckCa::kProcessor),
            "/sgx/certification/v4/pckcrl?ca=processor&encoding=der");
  EXPECT_EQ(endorse::pcs_root_ca_crl_url("https://api.trustedservices.intel.com/"),
            "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der");
  EXPECT_EQ(endorse::pcs_root_ca_crl_url("http://127.0.0.1:8081"),
            "http://127.0.0.1:8081/sgx/certification/v4/rootcacrl");
}

TEST(PcsSplit, CutsTheExactSignedText) {
  const std::string inner = "{\"id\":\"TDX\", \"x\" : [1,2,{\"y\":\"}\"}],\"z\":1.50}";
  const std::string body = "{ \"tcbInfo\" : " + inner + " ,\"signature\":\"" + std::string(128, 'a') + "\"}";
  auto doc = split_signed_response(body, "tcbInfo");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->text, inner);  // spacing and number spelling kept: never re-serialized
  EXPECT_EQ(doc->signature.size(), 64u);
  EXPECT_FALSE(split_signed_response("{\"tcbInfo\":{}}", "tcbInfo"));            // no signature
  EXPECT_FALSE(split_signed_response("not json", "tcbInfo"));
  EXPECT_FALSE(split_signed_response("{\"signature\":\"00\",\"tcbInfo\":{}}", "tcbInfo"));
}

TEST(PcsRequest, ComesFromThePckChain) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  auto q = load_quote(test::dcap::read_corpus(kTdxSampleQuote)).value();
  auto r = collateral_request(q.quote);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tee, Tee::kTdx);
  EXPECT_EQ(r->fmspc_hex(), "b0c06f000000");
  auto s = load_quote(test::dcap::read_corpus(kSgxQuote)).value();
  auto rs = collateral_request(s.quote);
  ASSERT_TRUE(rs);
  EXPECT_EQ(rs->tee, Tee::kSgx);
  EXPECT_EQ(rs->ca, PckCa::kProcessor);  // README: PCK Processor CA
  EXPECT_EQ(rs->fmspc_hex(), "00a067110000");
}

TEST(PcsCli, FetchCollateralGivesTheCorpusSetAtThePcsPaths) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  FakePcs pcs(corpus_collateral(kTdxSampleCollateral));
  TempDir dir;
  auto r = run_cli(with({"fetch", "collateral", path_of(kTdxSampleQuote), "--at", kTdxSampleAt}, net_flags(pcs, dir)));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = parse_collateral(r.out);
  ASSERT_TRUE(got) << got.error().message;
  const Collateral want = corpus_collateral(kTdxSampleCollateral);
  EXPECT_EQ(got->tcb_info, want.tcb_info);  // byte for byte
  EXPECT_EQ(got->qe_identity, want.qe_identity);
  EXPECT_EQ(got->tcb_info_signature, want.tcb_info_signature);
  EXPECT_EQ(got->pck_crl, want.pck_crl);
  EXPECT_EQ(got->root_ca_crl, want.root_ca_crl);
  EXPECT_EQ(got->tcb_info_issuer_chain, want.tcb_info_issuer_chain);
  auto targets = pcs.targets();
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{
                         "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
                         "/sgx/certification/v4/rootcacrl",
                         "/tdx/certification/v4/qe/identity",
                         "/tdx/certification/v4/tcb?fmspc=B0C06F000000"}));
}

struct CliCase {
  const char* quote;
  const char* collateral;
  const char* at;
  const char* status;
};

class PcsVerify : public testing::TestWithParam<CliCase> {};

TEST_P(PcsVerify, FetchesThenAnswersOfflineFromTheCache) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  const CliCase& c = GetParam();
  FakePcs pcs(corpus_collateral(c.collateral));
  TempDir dir;
  auto online = run_cli(with({"verify", "--json", path_of(c.quote), "--at", c.at}, net_flags(pcs, dir)));
  ASSERT_EQ(online.exit_code, 0) << online.out << online.err;
  auto j = nlohmann::json::parse(online.out);
  EXPECT_EQ(j["tcb_status"], c.status);
  ASSERT_EQ(j["endorsements"].size(), 4u);
  EXPECT_TRUE(j["endorsements"][0]["source"].get<std::string>().starts_with("PCS http://127.0.0.1"));
  const std::size_t asked = pcs.requests();
  EXPECT_EQ(asked, 4u);

  auto offline = run_cli(with({"verify", "--json", path_of(c.quote), "--at", c.at, "--offline"},
                              net_flags(pcs, dir)));
  ASSERT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  auto k = nlohmann::json::parse(offline.out);
  EXPECT_EQ(k["tcb_status"], c.status);
  EXPECT_TRUE(k["endorsements"][0]["source"].get<std::string>().starts_with("cache "));
  EXPECT_EQ(pcs.requests(), asked);  // nothing asked
}

INSTANTIATE_TEST_SUITE_P(
    Corpus, PcsVerify,
    testing::Values(CliCase{kTdxSampleQuote, kTdxSampleCollateral, kTdxSampleAt, "UpToDate"},
                    CliCase{kSgxQuote, kSgxCollateral, "2025-07-04T10:00:00Z",
                            "ConfigurationAndSWHardeningNeeded"}),
    [](const testing::TestParamInfo<CliCase>& p) { return std::string(p.index ? "Sgx" : "Tdx"); });

TEST(PcsCli, OfflineWithAnEmptyCacheIsAnEndorsementProblem) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  TempDir dir;
  auto r = run_cli({"verify", path_of(kTdxSampleQuote), "--at", kTdxSampleAt, "--offline", "--cache-dir",
                    (dir / "cache").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("TCB Info for TDX FMSPC b0c06f000000: not in the cache"), std::string::npos) << r.err;
}

TEST(PcsCli, NotFoundIsAnEndorsementProblem) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  FakePcs pcs(corpus_collateral(kOtherFmspcCollateral));  // no TCB Info for b0c06f000000: 404
  TempDir dir;
  auto r = run_cli(with({"verify", path_of(kTdxSampleQuote), "--at", kTdxSampleAt}, net_flags(pcs, dir)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 404"), std::string::npos) << r.err;
}

TEST(PcsCli, TooManyRequestsWithALongRetryAfterFailsAtOnce) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  FakePcs pcs(corpus_collateral(kTdxSampleCollateral));
  pcs.inject("/tdx/certification/v4/tcb", PcsFault{.status = 429, .retry_after = "3600"});
  TempDir dir;
  auto r = run_cli(with({"fetch", "collateral", path_of(kTdxSampleQuote), "--max-wait", "5"}, net_flags(pcs, dir)));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("HTTP 429 with Retry-After: 3600"), std::string::npos) << r.err;
}

TEST(PcsCli, QuoteOnStdin) {
  VERITEE_REQUIRE_DCAP_CORPUS_DIR();
  const std::string cmd = test::cli_path() + " verify - --collateral '" + path_of(kTdxSampleCollateral) +
                          "' --at " + kTdxSampleAt + " --json < '" + path_of(kTdxSampleQuote) + "'";
  auto r = test::run_program("/bin/sh", {"-c", cmd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["tcb_status"], "UpToDate");
  auto show = test::run_program("/bin/sh", {"-c", test::cli_path() + " show - < '" + path_of(kSgxQuote) + "'"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("DCAP quote version 3"), std::string::npos);
}

// The library path with fast retries, one fault at a time; after each, the cache holds nothing
// for the piece, and the same fetcher then gets good collateral (nothing was poisoned).
class PcsFaults : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::dcap::corpus_dir()) GTEST_SKIP() << "DCAP corpus absent";
    pcs_ = std::make_unique<FakePcs>(corpus_collateral(kTdxSampleCollateral));
    endorse::KdsOptions o;
    o.base_url = pcs_->url();
    o.service_name = "PCS";
    o.min_interval = std::chrono::milliseconds(0);
    o.retry.max_attempts = 2;
    o.retry.initial_backoff = std::chrono::milliseconds(10);
    o.retry.max_retry_after = std::chrono::milliseconds(2'000);
    o.http.total_timeout = std::chrono::milliseconds(500);
    client_.emplace(o);
    cache_.emplace(dir_ / "cache");
    auto q = load_quote(test::dcap::read_corpus(kTdxSampleQuote)).value();
    request_ = collateral_request(q.quote).value();
    at_ = veritee::parse_time(kTdxSampleAt).value();
  }
  endorse::PcsFetcher fetcher() {
    return endorse::PcsFetcher(intel_sgx_root_ca(), nullptr, &*cache_, &*client_,
                               endorse::pcs_root_ca_crl_url(pcs_->url()), at_);
  }
  // The fault (on every attempt: transport faults are retried once, bad content is not) gives
  // `code` and a message containing `says`; nothing is stored.
  void expect_fault(const std::string& prefix, const PcsFault& fault, Errc code, const std::string& says) {
    pcs_->inject(prefix, fault, code == Errc::kNetwork ? 2 : 1);
    auto got = fetcher().collateral(request_);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, code) << got.error().message;
    EXPECT_NE(got.error().message.find(says), std::string::npos) << got.error().message;
    for (const auto& key : cache_->keys()) {
      EXPECT_FALSE(key.starts_with("dcap/tcb/")) << key << " stored after a fault";
    }
    auto again = fetcher().collateral(request_);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->collateral.tcb_info, corpus_collateral(kTdxSampleCollateral).tcb_info);
  }

  TempDir dir_;
  std::unique_ptr<FakePcs> pcs_;
  std::optional<endorse::KdsClient> client_;
  std::optional<endorse::EndorsementCache> cache_;
  CollateralRequest request_;
  veritee::TimePoint at_;
};

constexpr const char* kTcb = "/tdx/certification/v4/tcb";

TEST_F(PcsFaults, ServerError) { expect_fault(kTcb, {.status = 500}, Errc::kNetwork, "HTTP 500"); }

TEST_F(PcsFaults, TooManyRequests) {
  expect_fault(kTcb, {.status = 429, .retry_after = "1"}, Errc::kNetwork, "HTTP 429");
}

TEST_F(PcsFaults, TruncatedBody) { expect_fault(kTcb, {.truncate = true}, Errc::kNetwork, "GET"); }

TEST_F(PcsFaults, Hang) {
  expect_fault(kTcb, {.delay = std::chrono::milliseconds(1'500)}, Errc::kNetwork, "GET");
}

TEST_F(PcsFaults, Garbage) {
  expect_fault(kTcb, {.body = "<html>maintenance</html>"}, Errc::kEndorsementInvalid, "not a JSON object");
}

TEST_F(PcsFaults, MissingIssuerChainHeader) {
  expect_fault(kTcb, {.drop_chain = true}, Errc::kEndorsementInvalid, "tcb-info-issuer-chain");
}

TEST_F(PcsFaults, WrongFmspc) {
  const Collateral other = corpus_collateral(kOtherFmspcCollateral);
  const std::string body = "{\"tcbInfo\":" + other.tcb_info + ",\"signature\":\"" +
                           to_hex(other.tcb_info_signature) + "\"}";
  expect_fault(kTcb, {.body = body}, Errc::kEndorsementInvalid, "FMSPC 50806f000000");
}

TEST_F(PcsFaults, BrokenSignature) {
  Collateral c = corpus_collateral(kTdxSampleCollateral);
  std::string text = c.tcb_info;
  text.replace(text.find("\"TDX\""), 5, "\"TDX\" ");  // same JSON, other bytes
  const std::string body = "{\"tcbInfo\":" + text + ",\"signature\":\"" +
                           to_hex(c.tcb_info_signature) + "\"}";
  expect_fault(kTcb, {.body = body}, Errc::kEndorsementInvalid, "signature does not verify");
}

TEST_F(PcsFaults, BadPckCrlAndRootCrlAreNotStored) {
  pcs_->inject("/sgx/certification/v4/pckcrl", {.body = "garbage"}, 1);
  auto got = fetcher().collateral(request_);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::kEndorsementInvalid);
  for (const auto& key : cache_->keys()) EXPECT_NE(key, "dcap/pckcrl/platform");
  pcs_->inject("/sgx/certification/v4/rootcacrl", {.body = to_hex(corpus_collateral(kTdxSampleCollateral).pck_crl)}, 1);
  auto root = fetcher().collateral(request_);
  ASSERT_FALSE(root);  // a CRL, but not the root's
  EXPECT_NE(root.error().message.find("not signed by the pinned"), std::string::npos) << root.error().message;
  for (const auto& key : cache_->keys()) EXPECT_NE(key, "dcap/rootcacrl");
  EXPECT_TRUE(fetcher().collateral(request_));
}

}  // namespace
}  // namespace veritee::tdx
