// Intel PCS collateral held by a long-running service (endorse/collateral_keeper.hpp, issue 11:
// "same rule for Intel PCS collateral"), against a loopback PCS (FakePcs) serving corpus-dcap
// collateral, on a test clock set to the collateral's time: a quote's collateral not held is an
// answer at once (never a fetch at request time) and is fetched in the background; held, it is
// used with no request; PCS answering 500 or 429, or hanging, never holds a caller up, is retried
// on one schedule (not once per caller) and leaves nothing in the cache; pieces are refreshed
// before their nextUpdate; TCB Infos are bounded. Here the tests sit beside the fake PCS (its
// helpers are this folder's); `veritee serve` with it: serve_collateral_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <set>
#include <thread>

#include "support/dcap_corpus.hpp"
#include "support/process.hpp"
#include "tdx/fake_pcs.hpp"
#include "veritee/endorse/collateral_keeper.hpp"
#include "veritee/endorse/kds_client.hpp"
#include "veritee/endorse/pcs.hpp"
#include "veritee/tdx/collateral_check.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::tdx {
namespace {

using namespace std::chrono_literals;
using endorse::CollateralKeeper;
using endorse::PcsPiece;
using test::FakePcs;
using test::PcsFault;
using test::TempDir;

struct Clock {
  veritee::TimePoint now;
  std::function<veritee::TimePoint()> fn() {
    return [this] { return now; };
  }
};

class CollateralKeeperTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::dcap::corpus_dir()) GTEST_SKIP() << "DCAP corpus absent";
    collateral_ = load_collateral_file(test::dcap::corpus_path(test::kTdxSampleCollateral)).value();
    pcs_ = std::make_unique<FakePcs>(collateral_);
    request_ = collateral_request(load_quote(test::dcap::read_corpus(test::kTdxSampleQuote)).value().quote).value();
    clock_.now = veritee::parse_time(test::kTdxSampleAt).value();
    cache_.emplace(dir_ / "cache");
    client_.emplace(service_client(cooldown_));
  }

  // A service's client (apps/veritee/endorsement_options.cpp, service mode): one attempt, the
  // circuit opens on the first failure, never a wait in the rate limit.
  endorse::KdsOptions service_client(std::chrono::milliseconds cooldown) const {
    endorse::KdsOptions o;
    o.base_url = pcs_->url();
    o.service_name = "PCS";
    o.min_interval = 0ms;
    o.retry.max_attempts = 1;
    o.circuit_failures = 1;
    o.circuit_cooldown = cooldown;
    o.max_rate_wait = 0ms;
    o.http.total_timeout = 1'000ms;
    return o;
  }

  std::unique_ptr<CollateralKeeper> keeper(std::size_t max_tcb_infos = 64) {
    endorse::CollateralKeeperOptions o;
    o.clock = clock_.fn();
    o.timing.retry_initial = 30s;
    o.timing.retry_max = 120s;
    o.max_tcb_infos = max_tcb_infos;
    return std::make_unique<CollateralKeeper>(intel_sgx_root_ca(), &*cache_, &*client_,
                                              endorse::pcs_root_ca_crl_url(pcs_->url()), o);
  }

  // What a service asks for a quote: the bundle (none), then the pieces the keeper holds.
  Result<endorse::FetchedCollateral> ask(CollateralKeeper& k) {
    endorse::PcsFetcher fetcher(intel_sgx_root_ca(), nullptr, &*cache_, &*client_,
                                endorse::pcs_root_ca_crl_url(pcs_->url()), clock_.now);
    fetcher.hold(&k);
    return fetcher.collateral(request_);
  }

  std::size_t dcap_entries() const {
    std::size_t n = 0;
    for (const auto& key : cache_->keys()) n += key.starts_with("dcap/") ? 1 : 0;
    return n;
  }

  std::chrono::milliseconds cooldown_ = 0ms;
  TempDir dir_;
  Collateral collateral_;
  std::unique_ptr<FakePcs> pcs_;
  CollateralRequest request_;
  Clock clock_;
  std::optional<endorse::EndorsementCache> cache_;
  std::optional<endorse::KdsClient> client_;
};

TEST_F(CollateralKeeperTest, NotHeldIsAnAnswerAtOnceThenHeldIsUsedWithoutAFetch) {
  auto k = keeper();
  // Not held: answered without a request to PCS; the four pieces are now wanted.
  auto first = ask(*k);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, Errc::kNetwork) << first.error().message;
  EXPECT_NE(first.error().message.find("not held yet"), std::string::npos) << first.error().message;
  EXPECT_EQ(pcs_->requests(), 0U) << "a request never fetches";
  EXPECT_EQ(k->status().size(), 4U) << "every piece the quote needs is wanted at once";
  // The background pass fetches each piece once, checks it and stores it.
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), 4U);
  EXPECT_EQ(dcap_entries(), 4U);
  for (int i = 0; i < 20; ++i) {
    auto held = ask(*k);
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_EQ(held->collateral.tcb_info, collateral_.tcb_info);
    EXPECT_NE(held->provenance.front().source.find("held in memory"), std::string::npos);
  }
  EXPECT_EQ(pcs_->requests(), 4U) << "held collateral is used with no fetch";
  auto got = ask(*k);
  const auto verified = verify_quote(load_quote(test::dcap::read_corpus(test::kTdxSampleQuote)).value().quote,
                                     got->collateral, {clock_.now, nullptr, nullptr});
  EXPECT_TRUE(verified.verified()) << "the held collateral verifies the quote";
  EXPECT_TRUE(k->globals_current());

  // A new keeper (a restarted service) takes what the cache holds, without the network.
  auto again = keeper();
  again->load();
  EXPECT_EQ(again->status().size(), 4U);
  EXPECT_TRUE(again->globals_current());
  ASSERT_TRUE(ask(*again));
  again->refresh_due();  // nothing is due yet
  EXPECT_EQ(pcs_->requests(), 4U);
}

// A service asks for the same platform's collateral again and again: assembled from the four
// held pieces once (merging and parsing 16 KB of JSON costs more than the quote's signatures),
// remembered by the pieces' serials, and the same collateral comes back.
TEST_F(CollateralKeeperTest, HeldPiecesAreAssembledOnceByTheirSerials) {
  auto k = keeper();
  ASSERT_FALSE(ask(*k));
  k->refresh_due();
  auto first = ask(*k);
  ASSERT_TRUE(first) << first.error().message;
  std::array<std::uint64_t, 4> serials{};
  std::size_t i = 0;
  for (PcsPiece piece : {PcsPiece::kTcbInfo, PcsPiece::kQeIdentity, PcsPiece::kPckCrl, PcsPiece::kRootCaCrl}) {
    auto held = k->lookup(piece, request_, clock_.now);
    ASSERT_TRUE(held) << held.error().message;
    EXPECT_NE(held->serial, 0U);
    serials[i++] = held->serial;
  }
  EXPECT_EQ(std::set<std::uint64_t>(serials.begin(), serials.end()).size(), 4U) << "a serial names one piece";
  auto remembered = k->assembled(serials);
  ASSERT_TRUE(remembered) << "the collateral of the held pieces is remembered";
  EXPECT_EQ(remembered->json, first->json);
  auto other = serials;
  other[0] += 100;
  EXPECT_FALSE(k->assembled(other)) << "another TCB Info is another collateral";

  auto second = ask(*k);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->json, first->json);
  EXPECT_EQ(second->collateral.tcb_info, collateral_.tcb_info);
  ASSERT_EQ(second->provenance.size(), first->provenance.size());
  for (std::size_t p = 0; p < first->provenance.size(); ++p) {
    EXPECT_EQ(second->provenance[p].source, first->provenance[p].source);
  }
  // Assembled again from the pieces a restarted keeper takes from the cache: the same.
  auto again = keeper();
  again->load();
  auto third = ask(*again);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->json, first->json);
  EXPECT_EQ(pcs_->requests(), 4U);
}

// PCS answering with a fault to everything: every caller is answered at once (kNetwork), the
// keeper sends one request per piece and schedule slot at most (after a 5xx or 429 the circuit
// refuses the rest without sending), and nothing reaches the cache. The circuit stays open for
// the test (a long cooldown).
struct Outage {
  PcsFault fault;
  std::size_t requests;  // in the first pass
};

class CollateralKeeperOutage : public CollateralKeeperTest, public testing::WithParamInterface<Outage> {
 protected:
  void SetUp() override {
    cooldown_ = 600'000ms;
    CollateralKeeperTest::SetUp();
  }
};

TEST_P(CollateralKeeperOutage, NeverHoldsACallerNorPoisonsTheCache) {
  pcs_->inject("/", GetParam().fault, 1000);
  auto k = keeper();
  ASSERT_FALSE(ask(*k));
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), GetParam().requests);
  for (int i = 0; i < 100; ++i) {
    auto r = ask(*k);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kNetwork) << r.error().message;
  }
  k->refresh_due();  // nothing is due: the failed pieces back off
  EXPECT_EQ(pcs_->requests(), GetParam().requests) << "no per-request fetch, no retry before the schedule says";
  EXPECT_EQ(dcap_entries(), 0U) << "nothing stored";
  EXPECT_FALSE(k->globals_current());
  for (const auto& s : k->status()) {
    EXPECT_FALSE(s.current);
    EXPECT_FALSE(s.problem.empty());
    EXPECT_TRUE(s.next_attempt);
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, CollateralKeeperOutage,
                         testing::Values(Outage{{.status = 500}, 1},
                                         Outage{{.status = 429, .retry_after = "3600"}, 1},
                                         Outage{{.status = 200, .body = "<html>maintenance</html>"}, 4}),
                         [](const testing::TestParamInfo<Outage>& param) {
                           return param.param.fault.status == 500   ? std::string("ServerError")
                                  : param.param.fault.status == 429 ? std::string("TooManyRequests")
                                                                    : std::string("Garbage");
                         });

// A PCS that hangs: the keeper's fetch is in progress on its thread while callers are answered
// (asserted by their completing while PCS has the request and has not answered; after the
// client's timeout the circuit refuses the other pieces, so PCS sees that one request).
class CollateralKeeperDown : public CollateralKeeperTest {
 protected:
  void SetUp() override {
    cooldown_ = 600'000ms;
    CollateralKeeperTest::SetUp();
  }
};

TEST_F(CollateralKeeperDown, AHangingPcsNeverHoldsACaller) {
  pcs_->inject("/", {.delay = 3'000ms}, 1000);
  auto k = keeper();
  k->start();
  ASSERT_FALSE(ask(*k));  // wanted: the thread fetches
  for (int i = 0; i < 2000 && pcs_->requests() == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(pcs_->requests(), 1U) << "the background fetch has reached PCS";
  for (int i = 0; i < 100; ++i) {
    auto r = ask(*k);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::kNetwork);
  }
  for (const auto& s : k->status()) EXPECT_FALSE(s.current);
  k->stop();
  EXPECT_EQ(pcs_->requests(), 1U);
  EXPECT_EQ(dcap_entries(), 0U);
}

// One failure, then PCS is back: the failed piece is tried again on the schedule (30 s, then
// doubling), never before, and is then held; what did arrive was held all along.
TEST_F(CollateralKeeperTest, AFailedPieceIsRetriedOnTheScheduleOnly) {
  pcs_->inject("/tdx/certification/v4/tcb", {.status = 500}, 2);
  auto k = keeper();
  ASSERT_FALSE(ask(*k));
  k->refresh_due();
  const std::size_t after_first = pcs_->requests();
  EXPECT_EQ(after_first, 4U);
  auto r = ask(*k);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos) << r.error().message;
  clock_.now += 29s;
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), after_first) << "not before 30 s";
  clock_.now += 2s;
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), after_first + 1) << "retried once at 30 s (and failed again)";
  clock_.now += 59s;
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), after_first + 1) << "then 60 s";
  clock_.now += 2s;
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), after_first + 2);
  ASSERT_TRUE(ask(*k));
  EXPECT_EQ(dcap_entries(), 4U);
}

// Refresh before nextUpdate: each piece is fetched again in the last quarter of its validity
// (at least a minute before its nextUpdate), so one is held without a gap.
TEST_F(CollateralKeeperTest, RefreshesBeforeNextUpdate) {
  auto k = keeper();
  ASSERT_FALSE(ask(*k));
  k->refresh_due();
  ASSERT_TRUE(ask(*k));
  const std::size_t fetched = pcs_->requests();
  // The earliest piece due, and its nextUpdate.
  std::optional<veritee::TimePoint> due, next_update;
  for (const auto& s : k->status()) {
    ASSERT_TRUE(s.current && s.next_attempt && s.next_update) << s.what;
    EXPECT_LT(*s.next_attempt, *s.next_update) << s.what << " is due before its nextUpdate";
    if (!due || *s.next_attempt < *due) {
      due = s.next_attempt;
      next_update = s.next_update;
    }
  }
  clock_.now = *due - 1s;
  k->refresh_due();
  EXPECT_EQ(pcs_->requests(), fetched) << "not due yet";
  clock_.now = *due;
  k->refresh_due();
  EXPECT_GT(pcs_->requests(), fetched) << "fetched again at " << veritee::format_time(*due);
  EXPECT_LT(clock_.now, *next_update);
  EXPECT_TRUE(ask(*k)) << "held without a gap";
}

// TCB Infos are kept per FMSPC and bounded: the least recently asked for goes.
TEST_F(CollateralKeeperTest, TcbInfosAreBounded) {
  auto k = keeper(2);
  for (std::uint8_t i = 1; i <= 5; ++i) {
    CollateralRequest other = request_;
    other.fmspc = Bytes{0x00, 0x11, 0x22, 0x33, 0x44, i};
    EXPECT_FALSE(k->lookup(PcsPiece::kTcbInfo, other));
  }
  std::size_t tcb_infos = 0;
  for (const auto& s : k->status()) tcb_infos += s.piece == PcsPiece::kTcbInfo ? 1 : 0;
  EXPECT_EQ(tcb_infos, 2U);
  EXPECT_EQ(pcs_->requests(), 0U);
  k->refresh_due();  // PCS has none for these FMSPCs: 404
  CollateralRequest last = request_;
  last.fmspc = Bytes{0x00, 0x11, 0x22, 0x33, 0x44, 5};
  auto r = k->lookup(PcsPiece::kTcbInfo, last);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kEndorsementMissing) << "PCS has none: " << r.error().message;
}

}  // namespace
}  // namespace veritee::tdx
