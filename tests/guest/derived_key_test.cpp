// Derived-key guards: every request the firmware could not take is refused before any key
// request reaches the (emulated) device, which counts them (DESIGN.md invariant 7).
#include "veritee/guest/derived_key.hpp"

#include <gtest/gtest.h>

#include "fake_sev_guest.hpp"
#include "support/corpus.hpp"
#include "veritee/guest/sev_guest_client.hpp"

namespace veritee::test {
namespace {

using namespace veritee::guest;

// Milan v2, firmware 1.52, GUEST_SVN 4, CURRENT_TCB 0xce08000000000003 above
// COMMITTED_TCB 0x7308000000000003 (microcode 0xce vs 0x73).
constexpr const char* kReport = "trustee/test-report.bin";

class DerivedKeyGuards : public testing::Test {
 protected:
  void SetUp() override {
    VERITEE_REQUIRE_CORPUS();
    report_ = read_corpus(kReport);
    ASSERT_EQ(le32(report_, 0x04), 4u);
    committed_ = le64(report_, 0x1E0);
    current_ = le64(report_, 0x038);
    ASSERT_NE(committed_, current_);
  }

  // Runs the request and expects a local refusal mentioning `words`, with no key request.
  void expect_refused(const DerivedKeyRequest& r, const std::string& words,
                      const Bytes* report = nullptr) {
    FakeSevGuest dev(report ? *report : report_);
    SevGuestClient client(dev);
    auto key = client.get_derived_key(r);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, Errc::kUnsupported) << key.error().message;
    EXPECT_NE(key.error().message.find(words), std::string::npos) << key.error().message;
    EXPECT_EQ(dev.key_requests, 0);
    EXPECT_FALSE(dev.vmpck_wiped);
  }

  Bytes report_;
  std::uint64_t committed_ = 0, current_ = 0;
};

TEST_F(DerivedKeyGuards, AcceptedRequestIsSentOnceExactly) {
  FakeSevGuest dev(report_);
  SevGuestClient client(dev);
  DerivedKeyRequest r;
  r.guest_field_select =
      field::kMeasurement | field::kGuestPolicy | field::kTcbVersion | field::kGuestSvn;
  r.guest_svn = 4;
  r.tcb_version = committed_;
  auto key = client.get_derived_key(r);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(dev.report_requests, 1);  // the fresh report the guards read
  ASSERT_EQ(dev.key_requests, 1);
  EXPECT_EQ(dev.key_request_bytes.at(0), encode_derived_key_req(r));
  for (std::size_t i = 0; i < 32; ++i) {
    EXPECT_EQ((*key)[i], static_cast<std::uint8_t>(dev.key_request_bytes[0][i] ^ 0xA5 ^ i));
  }
}

TEST_F(DerivedKeyGuards, LaunchMitigationVectorBeforeAbi158) {
  DerivedKeyRequest selected;
  selected.guest_field_select = field::kLaunchMitVector;
  expect_refused(selected, "firmware is ABI 1.52");
  DerivedKeyRequest value_only;
  value_only.launch_mit_vector = 1;
  expect_refused(value_only, "exists from firmware ABI 1.58");
}

TEST_F(DerivedKeyGuards, LaunchMitigationVectorOnAbi158CannotCrossTheUapi) {
  Bytes newer = report_;
  newer[0x1E9] = 58;  // CURRENT_MINOR: firmware 1.58
  DerivedKeyRequest r;
  r.guest_field_select = field::kLaunchMitVector;
  expect_refused(r, "snp_derived_key_req is 32 bytes", &newer);
}

TEST_F(DerivedKeyGuards, SvnAboveTheGuests) {
  DerivedKeyRequest r;
  r.guest_field_select = field::kGuestSvn;
  r.guest_svn = 5;
  expect_refused(r, "GUEST_SVN 5 is above the guest's SVN 4");
}

TEST_F(DerivedKeyGuards, TcbAboveCommittedOrCurrent) {
  DerivedKeyRequest r;
  r.guest_field_select = field::kTcbVersion;
  r.tcb_version = current_;  // microcode above the committed one
  expect_refused(r, "above the committed TCB");
  r.tcb_version = current_ + (std::uint64_t{1} << 48);  // SNP SPL above even the current one
  expect_refused(r, "byte 6");
}

TEST_F(DerivedKeyGuards, ReservedFieldSelectBits) {
  DerivedKeyRequest r;
  r.guest_field_select = std::uint64_t{1} << 7;
  expect_refused(r, "reserved");
}

TEST_F(DerivedKeyGuards, VmplTheFirmwareWouldRefuse) {
  DerivedKeyRequest above;
  above.vmpl = 4;
  {
    FakeSevGuest dev(report_);
    SevGuestClient client(dev);
    auto key = client.get_derived_key(above);
    ASSERT_FALSE(key);
    EXPECT_EQ(dev.report_requests + dev.key_requests, 0);  // nothing sent at all
  }
  FakeSevGuest dev(report_);
  dev.guest_vmpl = 2;
  SevGuestClient client(dev);
  DerivedKeyRequest below;
  below.vmpl = 1;
  auto key = client.get_derived_key(below);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::kUnsupported);
  EXPECT_NE(key.error().message.find("VMPL 1"), std::string::npos) << key.error().message;
  EXPECT_EQ(dev.key_requests, 0);
  EXPECT_FALSE(dev.vmpck_wiped);
}

TEST_F(DerivedKeyGuards, FirmwareErrorWhileReadingLimitsStopsBeforeTheKeyRequest) {
  FakeSevGuest dev(report_);
  SevGuestClient client(dev);
  DerivedKeyRequest r;
  auto first = client.get_derived_key(r);
  ASSERT_TRUE(first);
  dev.fail_next_with_fw_error = 0x16;
  dev.report_requests = dev.key_requests = 0;
  auto key = client.get_derived_key(r);  // the fresh report fails: VMPCK wiped
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, Errc::kIo);
  EXPECT_EQ(dev.key_requests, 0);
  EXPECT_TRUE(dev.vmpck_wiped);
}

TEST(DerivedKeyFields, ParseAndName) {
  auto all = parse_field_names("policy,image,family,measurement,svn,tcb,launch-mit");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, field::kKnownMask);
  EXPECT_EQ(*parse_field_names(""), 0u);
  EXPECT_EQ(*parse_field_names("measurement,policy"), field::kMeasurement | field::kGuestPolicy);
  EXPECT_FALSE(parse_field_names("measurment"));
  EXPECT_EQ(field_names(field::kMeasurement | field::kTcbVersion), "measurement,tcb");
  EXPECT_EQ(field_names(0), "none");
}

}  // namespace
}  // namespace veritee::test
