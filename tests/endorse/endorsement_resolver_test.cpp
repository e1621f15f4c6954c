// The resolver: sources in their documented order, --offline, fault injection at the KDS (each
// fault ends verified or in a clear endorsement error, and never leaves anything unverified in
// the cache), and CRL logic end to end on a test PKI pinned only here.
#include <gtest/gtest.h>

#include "kds_fixtures.hpp"
#include "support/process.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/endorsement_resolver.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::endorse {
namespace {

using namespace std::chrono_literals;

#define REQUIRE(sample) \
  if (!(sample)) GTEST_SKIP() << "evidence corpus not found: sample needed"

KdsOptions fast(const test::MockKds& mock) {
  KdsOptions o;
  o.base_url = mock.url();
  o.min_interval = 0ms;
  o.http.total_timeout = 500ms;
  o.retry = RetryPolicy{3, 5ms, 20ms, 2000ms};
  return o;
}

std::string source_of(const Resolution& r, std::string_view piece) {
  for (const auto& p : r.provenance) {
    if (p.piece == piece) return p.source;
  }
  return "(none)";
}

// The origin of a piece (what code decides on), or nullopt when the piece is absent.
std::optional<Origin> origin_of(const Resolution& r, std::string_view piece) {
  for (const auto& p : r.provenance) {
    if (p.piece == piece) return p.origin;
  }
  return std::nullopt;
}

ResolveRequest no_crl() { return ResolveRequest{.crl = CrlPolicy::kOff}; }

// The cache holds nothing, or exactly `good` (by bytes), each object named by its sha256.
void expect_cache_clean(const std::filesystem::path& dir, const std::vector<Bytes>& good = {}) {
  const auto contents = test::cache_contents(dir);
  EXPECT_TRUE(contents.misnamed.empty());
  EXPECT_EQ(contents.objects.size(), contents.refs.size());
  for (const auto& object : contents.objects) {
    EXPECT_NE(std::find(good.begin(), good.end(), object), good.end())
        << "the cache holds an object that is not a verified endorsement";
  }
}

TEST(Resolver, FetchesOnceThenUsesTheCache) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  KdsClient client(fast(mock));
  EndorsementResolver resolver(snp::TrustStore::amd(), nullptr, &cache, &client);
  const auto report = s->report();

  auto first = resolver.resolve(report, no_crl());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(source_of(*first, "VCEK"), "KDS " + mock.url() + s->vcek_path());
  EXPECT_EQ(source_of(*first, "chain"), "pinned (built in)");
  EXPECT_EQ(source_of(*first, "CRL"), "not used: --no-crl");
  EXPECT_EQ(origin_of(*first, "VCEK"), Origin::kFetched);
  EXPECT_EQ(origin_of(*first, "chain"), Origin::kPinned);
  EXPECT_EQ(origin_of(*first, "CRL"), Origin::kNotUsed);
  auto result = Verifier().verify(report, first->endorsements,
                                  VerifyOptions{std::chrono::system_clock::now(), {}, false});
  EXPECT_TRUE(result.verified());

  auto second = resolver.resolve(report, no_crl());
  ASSERT_TRUE(second);
  EXPECT_TRUE(source_of(*second, "VCEK").starts_with("cache " + dir.path().string()));
  EXPECT_EQ(origin_of(*second, "VCEK"), Origin::kCache);
  EXPECT_EQ(mock.requests(), 1U) << "the second verification makes no request";
  EXPECT_TRUE(mock.errors().empty());
  expect_cache_clean(dir.path(), {s->vcek.der()});
}

TEST(Resolver, TurinUsesItsOwnUrl) {
  auto s = test::turin_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  KdsClient client(fast(mock));
  auto r = EndorsementResolver(snp::TrustStore::amd(), nullptr, &cache, &client)
               .resolve(s->report(), no_crl());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(mock.errors().empty()) << mock.errors().front();
  EXPECT_TRUE(Verifier()
                  .verify(s->report(), r->endorsements,
                          VerifyOptions{std::chrono::system_clock::now(), {}, false})
                  .verified());
}

TEST(Resolver, SourcesInTheirDocumentedOrder) {
  auto s = test::milan_sample();
  REQUIRE(s);
  const auto report = s->report();
  const auto& roots = snp::TrustStore::amd();
  test::TempDir bundle_dir, cache_dir;
  EndorsementCache bundle(bundle_dir.path(), {.read_only = false, .expire = false});
  ASSERT_TRUE(bundle.put(vcek_entry(s->request(), roots), s->vcek.der()));
  EndorsementCache bundle_ro(bundle_dir.path(), {.read_only = true, .expire = false});
  EndorsementCache cache(cache_dir.path());
  ASSERT_TRUE(cache.put(vcek_entry(s->request(), roots), s->vcek.der()));
  test::MockKds mock;
  s->serve(mock);
  KdsClient client(fast(mock));
  EndorsementResolver all(roots, &bundle_ro, &cache, &client);

  ResolveRequest request = no_crl();
  request.cert_table = {{std::string(snp::kGuidVcek), "vcek", s->vcek.der()}};
  request.files.signer = s->vcek;
  request.files.signer_path = "vcek.pem";
  EXPECT_EQ(source_of(all.resolve(report, request).value(), "VCEK"), "certificate table");
  EXPECT_EQ(origin_of(all.resolve(report, request).value(), "VCEK"), Origin::kCertTable);
  request.cert_table.clear();
  EXPECT_EQ(source_of(all.resolve(report, request).value(), "VCEK"), "file vcek.pem");
  request.files = {};
  EXPECT_TRUE(source_of(all.resolve(report, request).value(), "VCEK").starts_with("bundle "));
  EXPECT_EQ(origin_of(all.resolve(report, request).value(), "VCEK"), Origin::kBundle);
  EndorsementResolver no_bundle(roots, nullptr, &cache, &client);
  EXPECT_TRUE(source_of(no_bundle.resolve(report, request).value(), "VCEK").starts_with("cache "));
  EXPECT_EQ(mock.requests(), 0U);
}

TEST(Resolver, OfflineNamesWhatIsMissing) {
  auto s = test::milan_sample();
  REQUIRE(s);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  EndorsementResolver offline(snp::TrustStore::amd(), nullptr, &cache, nullptr);
  auto r = offline.resolve(s->report(), ResolveRequest{.crl = CrlPolicy::kIfAvailable});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kEndorsementMissing);
  EXPECT_NE(r.error().message.find("no VCEK"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("--offline"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(s->vcek_path()), std::string::npos) << r.error().message;
}

TEST(Resolver, V2ReportNeedsAProductToLookUp) {
  auto s = test::milan_v2_sample();
  REQUIRE(s);
  test::MockKds mock;
  s->serve(mock);
  KdsClient client(fast(mock));
  EndorsementResolver resolver(snp::TrustStore::amd(), nullptr, nullptr, &client);
  auto r = resolver.resolve(s->report(), no_crl());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--product"), std::string::npos) << r.error().message;
  EXPECT_EQ(mock.requests(), 0U);
  ResolveRequest with_product = no_crl();
  with_product.product = snp::Product::kMilan;
  auto ok = resolver.resolve(s->report(), with_product);
  ASSERT_TRUE(ok) << ok.error().message;
}

// ---- fault injection: each ends verified or in a clear error, the cache clean.

struct Fault {
  const char* name;
  test::MockResponse response;
  int times;
  bool verified;           // the client gets through in the end
  const char* message;     // part of the error otherwise
};

class ResolverFault : public testing::TestWithParam<Fault> {};

TEST_P(ResolverFault, EndsVerifiedOrInAClearError) {
  auto s = test::milan_sample();
  REQUIRE(s);
  const Fault& fault = GetParam();
  test::MockKds mock;
  s->serve(mock);
  test::MockResponse response = fault.response;
  if (std::string_view(fault.name) == "another_chip") {
    response.body = test::other_milan_vcek().value().der();
  } else if (std::string_view(fault.name) == "non_amd_root") {
    auto pki = test::pki_sample();  // a VCEK for this very chip and TCB, from a test ARK
    ASSERT_TRUE(pki);
    response.body = pki->pki.vcek.der();
  }
  mock.inject("/vcek/", response, fault.times);
  test::TempDir dir;
  EndorsementCache cache(dir.path());
  KdsClient client(fast(mock));
  auto r = EndorsementResolver(snp::TrustStore::amd(), nullptr, &cache, &client)
               .resolve(s->report(), no_crl());
  if (fault.verified) {
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(Verifier()
                    .verify(s->report(), r->endorsements,
                            VerifyOptions{std::chrono::system_clock::now(), {}, false})
                    .verified());
    expect_cache_clean(dir.path(), {s->vcek.der()});
  } else {
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().code == Errc::kEndorsementInvalid ||
                r.error().code == Errc::kNetwork || r.error().code == Errc::kEndorsementMissing);
    EXPECT_NE(r.error().message.find(fault.message), std::string::npos) << r.error().message;
    expect_cache_clean(dir.path());
    EXPECT_TRUE(test::cache_contents(dir.path()).objects.empty());
  }
}

Bytes garbage() { return Bytes{0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef}; }

INSTANTIATE_TEST_SUITE_P(
    Kds, ResolverFault,
    testing::Values(
        Fault{"retry_after_429", {.status = 429, .retry_after = "1"}, 1, true, ""},
        Fault{"once_500", {.status = 500}, 1, true, ""},
        Fault{"always_500", {.status = 500}, 3, false, "failed after 3 attempts"},
        Fault{"always_503", {.status = 503}, 3, false, "HTTP 503"},
        Fault{"slow", {.delay = 900ms}, 3, false, "imed out"},
        Fault{"truncated", {.truncate = true}, 3, false, "failed after 3 attempts"},
        Fault{"truncated_once", {.truncate = true}, 1, true, ""},
        Fault{"another_chip", {}, 1, false, "another chip"},
        Fault{"non_amd_root", {}, 1, false, "not signed by the pinned SEV-Milan"},
        Fault{"garbage", {.body = garbage()}, 1, false, "not a certificate"},
        Fault{"empty", {.use_registered = false}, 1, false, "not a certificate"},
        Fault{"not_found", {.status = 404, .use_registered = false}, 1, false, "404"}),
    [](const testing::TestParamInfo<Fault>& p) { return std::string(p.param.name); });

// ---- CRL logic on a test PKI (an ARK, ASK and VCEK made here, pinned only in this test).

struct PkiRun {
  Result<Resolution> resolution;
  VerificationResult result;
};

PkiRun verify_with_pki(const test::PkiSample& s, const Bytes& crl, veritee::TimePoint now,
                       test::MockKds& mock, const std::filesystem::path& cache_dir) {
  mock.add_vcek(snp::Product::kMilan, s.pki.vcek);
  mock.add(crl_path(snp::Product::kMilan, Line::kVcek), crl);
  EndorsementCache cache(cache_dir, {.clock = [now] { return now; }});
  KdsClient client(fast(mock));
  EndorsementResolver resolver(s.pki.store, nullptr, &cache, &client);
  const auto report = s.report();
  PkiRun run{resolver.resolve(report, ResolveRequest{.crl = CrlPolicy::kRequired}), {}};
  if (run.resolution) {
    run.result = Verifier(s.pki.store)
                     .verify(report, run.resolution->endorsements, VerifyOptions{now, {}, true});
  }
  return run;
}

const Check* crl_check(const VerificationResult& r) { return r.checks.find("chain.crl"); }

TEST(ResolverCrl, ACurrentCrlRevokingNothingPasses) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto now = test::utc(2030, 6, 1);
  test::MockKds mock;
  test::TempDir dir;
  auto run = verify_with_pki(*s, test::pki_crl(*s, now - 24h, now + 24h), now, mock, dir.path());
  ASSERT_TRUE(run.resolution) << run.resolution.error().message;
  EXPECT_TRUE(source_of(*run.resolution, "CRL").starts_with("KDS "));
  ASSERT_NE(crl_check(run.result), nullptr);
  EXPECT_EQ(crl_check(run.result)->status, CheckStatus::kPass) << crl_check(run.result)->detail;
  EXPECT_TRUE(run.result.verified());
}

TEST(ResolverCrl, ACrlRevokingTheAskFailsVerification) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto now = test::utc(2030, 6, 1);
  test::MockKds mock;
  test::TempDir dir;
  const std::int64_t ask_serial = 0x1002;
  auto run = verify_with_pki(*s, test::pki_crl(*s, now - 24h, now + 24h, {ask_serial}), now,
                             mock, dir.path());
  ASSERT_TRUE(run.resolution) << run.resolution.error().message;
  ASSERT_NE(crl_check(run.result), nullptr);
  EXPECT_EQ(crl_check(run.result)->status, CheckStatus::kFail);
  EXPECT_NE(crl_check(run.result)->detail.find("revoked"), std::string::npos)
      << crl_check(run.result)->detail;
  EXPECT_FALSE(run.result.verified());
  EXPECT_EQ(run.result.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST(ResolverCrl, RequiredButUnavailableIsAnEndorsementError) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto now = test::utc(2030, 6, 1);
  test::MockKds mock;
  mock.inject("/vcek/v1/Milan/crl", {.status = 404, .use_registered = false});
  test::TempDir dir;
  auto run = verify_with_pki(*s, test::pki_crl(*s, now - 24h, now + 24h), now, mock, dir.path());
  ASSERT_FALSE(run.resolution);
  EXPECT_EQ(run.resolution.error().code, Errc::kEndorsementMissing);
  EXPECT_NE(run.resolution.error().message.find("--no-crl"), std::string::npos);
}

TEST(ResolverCrl, OfflineUsesACachedCrlIfThereIsOne) {
  auto s = test::pki_sample();
  REQUIRE(s);
  const auto now = test::utc(2030, 6, 1);
  test::MockKds mock;
  test::TempDir dir;
  ASSERT_TRUE(verify_with_pki(*s, test::pki_crl(*s, now - 24h, now + 24h), now, mock, dir.path())
                  .resolution);
  EndorsementCache cache(dir.path(), {.clock = [now] { return now; }});
  EndorsementResolver offline(s->pki.store, nullptr, &cache, nullptr);
  auto r = offline.resolve(s->report(), ResolveRequest{.crl = CrlPolicy::kIfAvailable});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(source_of(*r, "VCEK").starts_with("cache "));
  EXPECT_TRUE(source_of(*r, "CRL").starts_with("cache "));
  // With no CRL anywhere, offline verification goes on and says the CRL was not checked.
  test::TempDir empty;
  EndorsementCache none(empty.path());
  ResolveRequest with_vcek{.crl = CrlPolicy::kIfAvailable};
  with_vcek.files.signer = s->pki.vcek;
  with_vcek.files.signer_path = "vcek.der";
  auto skipped = EndorsementResolver(s->pki.store, nullptr, &none, nullptr)
                     .resolve(s->report(), with_vcek);
  ASSERT_TRUE(skipped);
  EXPECT_TRUE(source_of(*skipped, "CRL").starts_with("none available offline"));
  EXPECT_EQ(origin_of(*skipped, "CRL"), Origin::kAbsent);
}

}  // namespace
}  // namespace veritee::endorse
