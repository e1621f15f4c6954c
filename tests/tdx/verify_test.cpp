// Verification over every MANIFEST row with collateral (expected status and advisories, or the
// error class), and negatives derived from the real bytes.
#include <gtest/gtest.h>

#include "support/dcap_corpus.hpp"
#include "veritee/tdx/verify.hpp"
#include "veritee/verify/check_registry.hpp"

#include <nlohmann/json.hpp>

namespace veritee::tdx {
namespace {

using test::dcap::Row;

struct Loaded {
  Quote quote;
  Collateral collateral;
  veritee::TimePoint at;
};

Loaded load(const Row& row) {
  auto q = load_quote(test::dcap::read_corpus(row.quote));
  auto c = load_collateral_file(test::dcap::corpus_path(row.collateral));
  auto t = veritee::parse_time(row.at);
  if (!q || !c || !t) {
    throw std::runtime_error(row.quote + ": " + (!q ? q.error().message : !c ? c.error().message : t.error().message));
  }
  return {q->quote, *c, *t};
}

std::string describe(const DcapResult& r) {
  std::string s;
  for (const Check& c : r.checks.checks) {
    s += "  " + std::string(to_string(c.status)) + " " + c.id + ": " + c.detail + "\n";
  }
  return s;
}

bool failed(const DcapResult& r, const std::string& id) {
  const Check* c = r.checks.find(id);
  return c && c->status == CheckStatus::kFail;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  if (list == "-") return out;
  std::size_t start = 0;
  while (true) {
    auto comma = list.find(',', start);
    out.push_back(list.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

class ManifestRow : public testing::TestWithParam<Row> {};

TEST_P(ManifestRow, GivesTheOraclesResult) {
  const Row& row = GetParam();
  VERITEE_REQUIRE_DCAP_CORPUS(row);
  Loaded in = load(row);
  DcapResult r = verify_quote(in.quote, in.collateral, {in.at});
  SCOPED_TRACE(describe(r));
  EXPECT_EQ(r.fmspc, row.fmspc);
  // Every check id is in the verifier's closed registry, with a blame its row allows.
  for (const Check& c : r.checks.checks) EXPECT_TRUE(verify::registered(c)) << c.id;
  // The signatures and the binding hold on every row: the quotes are genuine.
  for (const char* id : {"pck.chain", "qe_report.signature", "qe_report.binding", "quote.signature",
                         "quote.qe_vendor"}) {
    ASSERT_TRUE(r.checks.find(id)) << id;
    EXPECT_EQ(r.checks.find(id)->status, CheckStatus::kPass) << id;
  }
  const std::string cls = row.error_class();
  if (cls.empty()) {
    ASSERT_TRUE(r.status);
    EXPECT_EQ(std::string(to_string(*r.status)), row.expected);
    EXPECT_EQ(r.advisories, split(row.advisories));
    EXPECT_TRUE(r.verified());
    EXPECT_EQ(r.checks.verdict(), Verdict::kVerified);
  } else if (cls == "TcbInfoExpired" || cls == "TcbInfoNotYetValid") {
    // An endorsement problem: exit 3, with the TCB Info's dates among the failures (other
    // collateral is usually out of date at that time too).
    EXPECT_EQ(r.checks.verdict(), Verdict::kEndorsementProblem);
    ASSERT_TRUE(r.checks.find("tcb_info.dates"));
    EXPECT_TRUE(failed(r, "tcb_info.dates"));
    EXPECT_NE(r.checks.find("tcb_info.dates")->detail.find(
                  cls == "TcbInfoExpired" ? "expired" : "not yet valid"),
              std::string::npos);
    EXPECT_FALSE(r.status);
  } else if (cls == "TcbLevelNotFound") {
    EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
    EXPECT_TRUE(failed(r, "tcb.platform"));
    EXPECT_FALSE(r.status);
  } else if (cls == "DebugEnabled") {
    EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
    EXPECT_TRUE(failed(r, "quote.debug"));
    EXPECT_TRUE(r.debug);
    // Rejected even though a TCB level matches.
    EXPECT_EQ(r.checks.find("tcb.platform")->status, CheckStatus::kPass);
  } else if (cls == "QeIdentityWrongTee") {
    EXPECT_EQ(r.checks.verdict(), Verdict::kEndorsementProblem);
    EXPECT_TRUE(failed(r, "qe_identity.applies"));
    EXPECT_TRUE(failed(r, "tcb_info.applies"));
    EXPECT_FALSE(r.status);
  } else {
    FAIL() << "error class " << cls << " is not known to this test";
  }
}

INSTANTIATE_TEST_SUITE_P(Dcap, ManifestRow, testing::ValuesIn(test::dcap::rows(true)),
                         test::dcap::RowName{});

// The first row that verifies, for the derived negatives.
std::optional<Row> good_row(std::string_view tee) {
  for (const Row& r : test::dcap::rows(true)) {
    if (!r.placeholder() && !r.expects_error() && r.tee == tee) return r;
  }
  return std::nullopt;
}

class Derived : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto row = good_row(GetParam());
    if (!row) GTEST_SKIP() << "DCAP corpus absent (" << test::dcap::corpus_location() << ")";
    loaded_.emplace(load(*row));
    bytes_.assign(loaded_->quote.bytes().begin(), loaded_->quote.bytes().end());
  }
  DcapResult verify_flipped(std::size_t offset) {
    Bytes b = bytes_;
    b[offset] ^= 0x01;
    auto q = Quote::parse(b);
    EXPECT_TRUE(q) << q.error().message;
    return verify_quote(*q, loaded_->collateral, {loaded_->at});
  }
  std::optional<Loaded> loaded_;
  Bytes bytes_;
};

TEST_P(Derived, AFlippedBitInTheHeaderBreaksTheQuoteSignature) {
  // user_data (0x1C..0x2F): not interpreted, so only the signature can notice.
  DcapResult r = verify_flipped(0x20);
  EXPECT_TRUE(failed(r, "quote.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheBodyBreaksTheQuoteSignature) {
  // The body's REPORTDATA, last 64 bytes of the signed range.
  DcapResult r = verify_flipped(loaded_->quote.signed_bytes().size() - 1);
  EXPECT_TRUE(failed(r, "quote.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheQuoteSignatureFails) {
  DcapResult r = verify_flipped(loaded_->quote.layout().signature_data + 4 + 10);
  EXPECT_TRUE(failed(r, "quote.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheAttestationKeyBreaksBindingAndSignature) {
  DcapResult r = verify_flipped(loaded_->quote.layout().signature_data + 4 + 64 + 10);
  EXPECT_TRUE(failed(r, "qe_report.binding")) << describe(r);
  EXPECT_TRUE(failed(r, "quote.signature"));
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheQeReportBreaksItsSignature) {
  // ISVSVN's neighbour CONFIGSVN (0x104): a field no other check reads.
  DcapResult r = verify_flipped(loaded_->quote.layout().qe_report + 0x104);
  EXPECT_TRUE(failed(r, "qe_report.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheQeReportSignatureFails) {
  DcapResult r = verify_flipped(loaded_->quote.layout().qe_report + kEnclaveReportSize + 40);
  EXPECT_TRUE(failed(r, "qe_report.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, AFlippedBitInTheQeAuthDataBreaksTheBinding) {
  if (loaded_->quote.qe_auth_data().empty()) GTEST_SKIP() << "no QE authentication data";
  DcapResult r = verify_flipped(loaded_->quote.layout().qe_auth_data + 2);
  EXPECT_TRUE(failed(r, "qe_report.binding")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEvidenceFailed);
}

TEST_P(Derived, ATamperedCollateralSignatureIsAnEndorsementProblem) {
  Collateral c = loaded_->collateral;
  c.tcb_info_signature[5] ^= 0x01;
  DcapResult r = verify_quote(loaded_->quote, c, {loaded_->at});
  EXPECT_TRUE(failed(r, "tcb_info.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEndorsementProblem);
  Collateral d = loaded_->collateral;
  d.qe_identity[d.qe_identity.size() / 2] ^= 0x01;  // one byte of the signed text
  r = verify_quote(loaded_->quote, d, {loaded_->at});
  EXPECT_TRUE(failed(r, "qe_identity.signature")) << describe(r);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST_P(Derived, AChainToAnotherRootIsAnEndorsementProblem) {
  // Pin a different root: the quote's chain (ending at Intel's) no longer reaches it.
  auto other = x509::Certificate::load_all(as_bytes(loaded_->collateral.tcb_info_issuer_chain));
  ASSERT_TRUE(other);
  const x509::Certificate& tcb_signing = other->front();
  DcapResult r = verify_quote(loaded_->quote, loaded_->collateral, {loaded_->at, &tcb_signing});
  EXPECT_TRUE(failed(r, "pck.chain")) << describe(r);
  EXPECT_NE(r.checks.find("pck.chain")->detail.find("not the pinned"), std::string::npos);
  EXPECT_EQ(r.checks.verdict(), Verdict::kEndorsementProblem);
}

TEST_P(Derived, TheUnmodifiedQuoteVerifies) {
  auto q = Quote::parse(bytes_);
  ASSERT_TRUE(q);
  DcapResult r = verify_quote(*q, loaded_->collateral, {loaded_->at});
  EXPECT_TRUE(r.verified()) << describe(r);
}

TEST_P(Derived, AWarmMemoAndPreparedKeysChangeNoResult) {
  // DcapMemo (chains, CRLs, signed documents, PCK extensions) and the keys each thread keeps
  // prepared (the attestation key by its bytes, the PCK key) only remember what verified: with
  // both warm, the unmodified quote gives the very checks of a verification without a memo, and
  // each tampered quote fails exactly as it does without one.
  auto good = Quote::parse(bytes_);
  ASSERT_TRUE(good);
  DcapMemo memo;
  const DcapVerifyOptions plain{loaded_->at};
  const DcapVerifyOptions memoized{loaded_->at, nullptr, &memo};
  const std::string expected = describe(verify_quote(*good, loaded_->collateral, plain));
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(describe(verify_quote(*good, loaded_->collateral, memoized)), expected) << round;
  }
  const Quote::Layout& at = loaded_->quote.layout();
  for (std::size_t offset :
       {std::size_t{0x20}, loaded_->quote.signed_bytes().size() - 1, at.signature_data + 4 + 10,
        at.signature_data + 4 + 64 + 10, at.qe_report + 0x104,
        at.qe_report + kEnclaveReportSize + 40}) {
    Bytes b = bytes_;
    b[offset] ^= 0x01;
    auto q = Quote::parse(b);
    ASSERT_TRUE(q) << q.error().message;
    const DcapResult warm = verify_quote(*q, loaded_->collateral, memoized);
    EXPECT_EQ(describe(warm), describe(verify_quote(*q, loaded_->collateral, plain))) << offset;
    EXPECT_EQ(warm.checks.verdict(), Verdict::kEvidenceFailed) << offset;
  }
  EXPECT_EQ(describe(verify_quote(*good, loaded_->collateral, memoized)), expected);
}

INSTANTIATE_TEST_SUITE_P(Dcap, Derived, testing::Values("sgx", "tdx"));

TEST(TcbStatus, MergeKeepsWhatEitherHolds) {
  using enum TcbStatus;
  EXPECT_EQ(merge(kUpToDate, kUpToDate), kUpToDate);
  EXPECT_EQ(merge(kSWHardeningNeeded, kOutOfDate), kOutOfDate);
  EXPECT_EQ(merge(kConfigurationNeeded, kOutOfDate), kOutOfDateConfigurationNeeded);
  EXPECT_EQ(merge(kConfigurationAndSWHardeningNeeded, kOutOfDate), kOutOfDateConfigurationNeeded);
  EXPECT_EQ(merge(kSWHardeningNeeded, kConfigurationNeeded), kConfigurationAndSWHardeningNeeded);
  EXPECT_EQ(merge(kUpToDate, kRevoked), kRevoked);
  EXPECT_EQ(merge(kConfigurationAndSWHardeningNeeded, kUpToDate), kConfigurationAndSWHardeningNeeded);
  for (auto s : {kUpToDate, kSWHardeningNeeded, kConfigurationNeeded,
                 kConfigurationAndSWHardeningNeeded, kOutOfDate, kOutOfDateConfigurationNeeded,
                 kRevoked}) {
    EXPECT_EQ(merge(s, s), s);
    EXPECT_EQ(parse_tcb_status(to_string(s)).value(), s);
  }
  EXPECT_FALSE(parse_tcb_status("Unknown"));
}

TEST(IntelRoot, IsThePinnedCertificate) {
  EXPECT_EQ(intel_sgx_root_ca().sha256_hex(),
            "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  EXPECT_EQ(intel_sgx_root_ca().subject_cn(), "Intel SGX Root CA");
}

}  // namespace
}  // namespace veritee::tdx

namespace veritee::tdx {
namespace {

TEST(Collateral, MembersAreCheckedByNameAndType) {
  EXPECT_FALSE(parse_collateral("not json"));
  EXPECT_FALSE(parse_collateral("[]"));
  auto missing = parse_collateral("{}");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("pck_crl_issuer_chain"), std::string::npos);
  auto rows = test::dcap::rows(true);
  if (rows.front().placeholder()) GTEST_SKIP() << "DCAP corpus absent";
  Bytes raw = test::dcap::read_corpus(rows.front().collateral);
  auto doc = nlohmann::json::parse(raw.begin(), raw.end());
  auto extra = doc;
  extra["surprise"] = "x";
  auto e = parse_collateral(extra.dump());
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("unknown member 'surprise'"), std::string::npos);
  auto typed = doc;
  typed["tcb_info_signature"] = 5;
  auto t = parse_collateral(typed.dump());
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("'tcb_info_signature' is not a string"), std::string::npos);
  // The signed texts are kept byte for byte.
  auto ok = parse_collateral(doc.dump());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->tcb_info, doc["tcb_info"].get<std::string>());
}

TEST(Collateral, UnknownDocumentVersionsAreErrors) {
  auto t = parse_tcb_info(R"({"version": 2, "id": "SGX"})");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::kUnknownVersion);
  auto q = parse_enclave_identity(R"({"version": 1, "id": "QE"})");
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, Errc::kUnknownVersion);
}

}  // namespace
}  // namespace veritee::tdx
