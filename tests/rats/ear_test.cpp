// EAR status and AR4SI trustworthiness vector from check traces, the claims set, and the
// relying party's checks of a signed result.
#include <gtest/gtest.h>

#include "rats/rats_fixture.hpp"
#include "veritee/rats/attestation_result.hpp"
#include "veritee/rats/jws.hpp"
#include "veritee/rats/result_check.hpp"
#include "veritee/rats/trust_vector.hpp"

namespace veritee::test {
namespace {

using rats::Component;
using rats::EarStatus;

CheckList trace(std::initializer_list<std::pair<const char*, CheckStatus>> checks) {
  CheckList list;
  for (auto [id, st] : checks) list.add({id, st, CheckSubject::kEvidence, "x"});
  return list;
}

const auto kAuthentic = {std::pair{"product", CheckStatus::kPass}, std::pair{"chain.ark", CheckStatus::kPass},
                         std::pair{"report.signature", CheckStatus::kPass},
                         std::pair{"report.chip_id", CheckStatus::kPass}, std::pair{"chain.crl", CheckStatus::kSkip}};

CheckList with(std::initializer_list<std::pair<const char*, CheckStatus>> more) {
  CheckList list = trace(kAuthentic);
  for (auto [id, st] : more) list.add({id, st, CheckSubject::kEvidence, "x"});
  return list;
}

TEST(TrustVector, AffirmingWhenEverythingPasses) {
  auto checks = with({{"policy.debug", CheckStatus::kPass}, {"policy.measurement", CheckStatus::kPass}});
  EXPECT_EQ(rats::derive_status(checks, {}), EarStatus::kAffirming);
  auto v = rats::derive_trust_vector(checks, {});
  EXPECT_EQ(v[Component::kHardware], 2);
  EXPECT_EQ(v[Component::kInstanceIdentity], 2);
  EXPECT_EQ(v[Component::kConfiguration], 2);
  EXPECT_EQ(v[Component::kExecutables], 3) << "approved boot-time: SNP measures the launch";
  EXPECT_EQ(v[Component::kRuntimeOpaque], 2);
  EXPECT_EQ(v[Component::kFileSystem], 0);
  EXPECT_EQ(v.worst_tier(), EarStatus::kAffirming);
}

TEST(TrustVector, NoMeasurementRuleMeansNoExecutablesClaim) {
  auto v = rats::derive_trust_vector(with({{"policy.debug", CheckStatus::kPass}}), {});
  EXPECT_EQ(v[Component::kExecutables], 0);
}

TEST(TrustVector, AllowedDebugIsAWarning) {
  auto checks = with({{"policy.debug", CheckStatus::kPass}});
  std::set<std::string> warn{"policy.debug"};
  EXPECT_EQ(rats::derive_status(checks, warn), EarStatus::kWarning);
  auto v = rats::derive_trust_vector(checks, warn);
  EXPECT_EQ(v[Component::kConfiguration], 32);
  EXPECT_EQ(v[Component::kRuntimeOpaque], 32);
  EXPECT_EQ(v.worst_tier(), EarStatus::kWarning);
}

TEST(TrustVector, FailedRuleContraindicatesItsComponent) {
  auto checks = with({{"policy.debug", CheckStatus::kPass}, {"policy.measurement", CheckStatus::kFail},
                      {"policy.min_tcb", CheckStatus::kFail}, {"policy.chip_id", CheckStatus::kFail}});
  EXPECT_EQ(rats::derive_status(checks, {}), EarStatus::kContraindicated);
  auto v = rats::derive_trust_vector(checks, {});
  EXPECT_EQ(v[Component::kExecutables], 96);
  EXPECT_EQ(v[Component::kHardware], 96);
  EXPECT_EQ(v[Component::kInstanceIdentity], 97);
  EXPECT_EQ(v[Component::kConfiguration], 2);
  EXPECT_EQ(v.worst_tier(), EarStatus::kContraindicated);
}

TEST(TrustVector, AuthenticityOrFreshnessFailureIsCryptoFailed) {
  for (const char* id : {"report.signature", "chain.ask", "nonce.bound", "nonce.valid", "hcl.runtime_claims"}) {
    auto checks = with({{id, CheckStatus::kFail}, {"policy.debug", CheckStatus::kPass}});
    auto v = rats::derive_trust_vector(checks, {});
    EXPECT_EQ(v[Component::kHardware], 99) << id;
    EXPECT_EQ(v[Component::kConfiguration], 99) << id;
    EXPECT_EQ(rats::derive_status(checks, {}), EarStatus::kContraindicated) << id;
    EXPECT_EQ(v.worst_tier(), EarStatus::kContraindicated) << id;
  }
}

TEST(TrustVector, StatusAlwaysMatchesWorstTier) {
  // Whatever fails, the status derived from the checks and the vector's worst tier agree.
  for (const char* id : {"policy.debug", "policy.migrate_ma", "policy.smt", "policy.single_socket", "policy.abi",
                         "policy.vmpl", "policy.host_data", "policy.report_data", "policy.policy_bits",
                         "policy.platform_bits", "policy.min_tcb", "policy.min_launch_tcb", "policy.build",
                         "policy.version", "policy.product", "policy.signing_key", "policy.launch_mit_vector",
                         "policy.current_mit_vector", "policy.measurement", "policy.family_id", "policy.image_id",
                         "policy.id_key_digest", "policy.author_key_digest", "policy.guest_svn",
                         "policy.chip_id", "policy.report_id", "policy.report_id_ma"}) {
    auto checks = with({{id, CheckStatus::kFail}});
    EXPECT_EQ(rats::derive_trust_vector(checks, {}).worst_tier(), rats::derive_status(checks, {})) << id;
  }
}

rats::AttestationResult sample_result() {
  rats::AttestationResult r;
  r.checks = with({{"policy.debug", CheckStatus::kPass}});
  r.status = rats::derive_status(r.checks, {});
  r.vector = rats::derive_trust_vector(r.checks, {});
  r.report = {{"version", 3}, {"measurement", "ab"}};
  r.evidence = "raw report";
  r.nonce = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
  r.binding = rats::NonceBinding::kSha512;
  r.policy_id = "p1";
  r.appraised_at = veritee::TimePoint(std::chrono::seconds(1'800'000'000));
  return r;
}

TEST(Ear, ClaimsFollowTheProfile) {
  rats::VerifierIdentity id;
  id.issuer = "https://verifier.example";
  id.lifetime = std::chrono::seconds(600);
  auto c = rats::ear_claims(sample_result(), id);
  EXPECT_EQ(c["eat_profile"], "tag:github.com,2023:veraison/ear");
  EXPECT_EQ(c["iat"], 1'800'000'000);
  EXPECT_EQ(c["exp"], 1'800'000'600);
  EXPECT_EQ(c["iss"], "https://verifier.example");
  EXPECT_EQ(c["eat_nonce"], "AQIDBAUGBwg");
  EXPECT_TRUE(c["ear.verifier-id"]["build"].get<std::string>().starts_with("veritee "));
  const auto& s = c["submods"]["SEV-SNP"];
  EXPECT_EQ(s["ear.status"], "affirming");
  EXPECT_EQ(s["ear.appraisal-policy-id"], "p1");
  EXPECT_EQ(s["ear.trustworthiness-vector"].size(), 8u);
  EXPECT_EQ(s["ear.trustworthiness-vector"]["hardware"], 2);
  EXPECT_EQ(s["veritee.nonce-binding"], "sha512");
  EXPECT_EQ(s["veritee.failed-checks"], nlohmann::json::array());
  EXPECT_EQ(s["veritee.checks"].size(), 6u);
}

class RelyingParty : public ::testing::Test {
 protected:
  void SetUp() override {
    key = *rats::SigningKey::generate(rats::JwsAlg::kES256);
    jwks = rats::Jwks::of(*key);
    claims = rats::ear_claims(sample_result(), {});
    options.now = veritee::TimePoint(std::chrono::seconds(1'800'000'010));
    options.nonce = Bytes{1, 2, 3, 4, 5, 6, 7, 8};
    options.issuer = "veritee";
  }
  rats::ResultCheck check(const nlohmann::json& c) {
    return rats::check_result(*rats::jws_sign(*key, c), *jwks, options);
  }
  std::optional<rats::SigningKey> key;
  std::optional<rats::Jwks> jwks;
  nlohmann::json claims;
  rats::ResultCheckOptions options;
};

TEST_F(RelyingParty, AcceptsAGoodResult) {
  auto r = check(claims);
  EXPECT_TRUE(r.checks.passed()) << rats::summarize(r);
  EXPECT_EQ(r.status, EarStatus::kAffirming);
  auto text = rats::summarize(r);
  EXPECT_NE(text.find("submod SEV-SNP: affirming"), std::string::npos) << text;
  EXPECT_NE(text.find("accepted"), std::string::npos);
}

TEST_F(RelyingParty, ResultWithoutExpIsRefused) {
  auto c = claims;
  c.erase("exp");
  auto r = check(c);
  const Check* k = r.checks.find("ear.fresh");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->status, CheckStatus::kFail);
  EXPECT_NE(k->detail.find("no \"exp\""), std::string::npos) << k->detail;
  EXPECT_FALSE(r.checks.passed());
}

TEST_F(RelyingParty, EachCheckFailsOnItsOwn) {
  auto failed = [&](const nlohmann::json& c, const char* id) {
    auto r = check(c);
    const Check* k = r.checks.find(id);
    ASSERT_NE(k, nullptr) << id;
    EXPECT_EQ(k->status, CheckStatus::kFail) << id << ": " << k->detail;
    EXPECT_FALSE(r.checks.passed());
  };
  auto c = claims;
  c["iss"] = "mallory";
  failed(c, "ear.issuer");
  c = claims;
  c["eat_profile"] = "tag:example.com,2020:other";
  failed(c, "ear.profile");
  c = claims;
  c["eat_nonce"] = "AQIDBAUGBwk";
  failed(c, "ear.nonce");
  c = claims;
  c.erase("eat_nonce");
  failed(c, "ear.nonce");
  c = claims;
  c["submods"]["SEV-SNP"]["ear.status"] = "warning";
  failed(c, "ear.status");
  options.accept = EarStatus::kWarning;
  EXPECT_TRUE(check(c).checks.passed()) << "--expect-status warning accepts warning";
  options.accept = EarStatus::kAffirming;
  // Freshness: too old, from the future, expired.
  options.now = veritee::TimePoint(std::chrono::seconds(1'800'000'000 + 301));
  failed(claims, "ear.fresh");
  options.now = veritee::TimePoint(std::chrono::seconds(1'800'000'000 - 120));
  failed(claims, "ear.fresh");
  options.max_age = std::chrono::seconds(0);
  options.now = veritee::TimePoint(std::chrono::seconds(1'800'003'600 + 61));
  failed(claims, "ear.fresh");
}

TEST_F(RelyingParty, OddlyTypedClaimsFailWithoutThrowing) {
  auto c = claims;
  c["iss"] = 42;
  c["eat_profile"] = nlohmann::json::array();
  c["submods"]["SEV-SNP"]["veritee.failed-checks"] = {1, 2};
  c["submods"]["SEV-SNP"]["veritee.report"] = {{"measurement", 5}};
  auto r = check(c);
  EXPECT_FALSE(r.checks.passed());
  EXPECT_NO_THROW(rats::summarize(r));
}

TEST_F(RelyingParty, ForgedOrGarbledTokens) {
  auto token = *rats::jws_sign(*key, claims);
  auto other = *rats::SigningKey::generate(rats::JwsAlg::kES256);
  auto r = rats::check_result(*rats::jws_sign(other, claims), *jwks, options);
  EXPECT_FALSE(r.checks.passed());
  EXPECT_FALSE(r.malformed);
  EXPECT_TRUE(r.claims.is_null()) << "claims of an unverified token are not handed out";
  r = rats::check_result("not a token", *jwks, options);
  EXPECT_TRUE(r.malformed);
  r = rats::check_result(token + "\n", *jwks, options);
  EXPECT_TRUE(r.checks.passed()) << "a trailing newline (from a file) is fine";
}

}  // namespace
}  // namespace veritee::test
