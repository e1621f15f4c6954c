// The uapi and firmware message layouts, byte by byte (sev-guest.h; ABI 1.58 Tables 19-25).
#include "veritee/guest/sev_guest_abi.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "support/corpus.hpp"
#include "veritee/guest/derived_key.hpp"

namespace veritee::test {
namespace {

using namespace veritee::guest;

TEST(SevGuestAbi, IoctlNumbersAreIowrOf32Bytes) {
  // _IOC(dir=3 (read|write), type='S', nr, size=32)
  auto iowr = [](unsigned long nr) { return (3UL << 30) | (32UL << 16) | ('S' << 8) | nr; };
  EXPECT_EQ(kSnpGetReport, iowr(0));
  EXPECT_EQ(kSnpGetDerivedKey, iowr(1));
  EXPECT_EQ(kSnpGetExtReport, iowr(2));
}

TEST(SevGuestAbi, ReportRequestLayout) {
  ReportData data{};
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i + 1);
  Bytes req = encode_report_req(data, 2);
  ASSERT_EQ(req.size(), 96u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), req.begin()));
  EXPECT_EQ(le32(req, 0x40), 2u);
  EXPECT_TRUE(all_zero(ByteView(req).subspan(0x44)));

  Bytes ext = encode_ext_report_req(data, 1, 0x1122334455667788ULL, 8192);
  ASSERT_EQ(ext.size(), 112u);
  EXPECT_EQ(le32(ext, 0x40), 1u);
  EXPECT_EQ(le64(ext, 0x60), 0x1122334455667788ULL);
  EXPECT_EQ(le32(ext, 0x68), 8192u);
  EXPECT_EQ(*ext_report_req_certs_len(ext), 8192u);
}

TEST(SevGuestAbi, ReportResponse) {
  VERITEE_REQUIRE_CORPUS();
  // A real MSG_REPORT_RSP as the kernel returns it (corpus: lit-sev-snp-utils).
  Bytes rsp = read_corpus("lit-sev-snp-utils/snp_report_msg_resp.bin");
  auto report = decode_report_resp(rsp);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(*report, Bytes(rsp.begin() + 0x20, rsp.begin() + 0x20 + 0x4A0));

  Bytes bad = rsp;
  bad[0] = 0x16;
  auto refused = decode_report_resp(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("INVALID_PARAM (0x16)"), std::string::npos);
  Bytes wrong_size = rsp;
  wrong_size[4] = 0x00;
  EXPECT_FALSE(decode_report_resp(wrong_size));
  EXPECT_EQ(decode_report_resp(ByteView(rsp).first(6)).error().code, Errc::kTruncated);
}

TEST(SevGuestAbi, KeyResponse) {
  Bytes rsp(64, 0);
  for (std::size_t i = 0; i < 32; ++i) rsp[0x20 + i] = static_cast<std::uint8_t>(i);
  auto key = decode_derived_key_resp(rsp);
  ASSERT_TRUE(key);
  EXPECT_EQ((*key)[31], 31);
  rsp[0] = 0x16;
  EXPECT_FALSE(decode_derived_key_resp(rsp));
  EXPECT_FALSE(decode_derived_key_resp(ByteView(rsp).first(40)));
}

TEST(SevGuestAbi, MsgKeyReqLayout) {
  DerivedKeyRequest r;
  r.root = RootKey::kVmrk;
  r.guest_field_select = field::kMeasurement | field::kTcbVersion;
  r.vmpl = 1;
  r.guest_svn = 7;
  r.tcb_version = 0x0807060504030201ULL;
  r.launch_mit_vector = 0xAB;
  Bytes full = encode_msg_key_req(r);
  ASSERT_EQ(full.size(), 0x28u);
  EXPECT_EQ(le32(full, 0x00), 1u);
  EXPECT_EQ(le32(full, 0x04), 0u);
  EXPECT_EQ(le64(full, 0x08), 0x28u);
  EXPECT_EQ(le32(full, 0x10), 1u);
  EXPECT_EQ(le32(full, 0x14), 7u);
  EXPECT_EQ(le64(full, 0x18), 0x0807060504030201ULL);
  EXPECT_EQ(le64(full, 0x20), 0xABu);
  Bytes uapi = encode_derived_key_req(r);
  EXPECT_EQ(uapi, Bytes(full.begin(), full.begin() + 32));
}

TEST(SevGuestAbi, StatusNamesAndFailureSentences) {
  EXPECT_EQ(fw_status_name(0x16), "INVALID_PARAM (0x16)");
  EXPECT_EQ(fw_status_name(0x27), "INVALID_KEY (0x27)");
  EXPECT_EQ(fw_status_name(0x1E), "unknown status 0x1e");
  EXPECT_EQ(fw_status_name(0x99), "unknown status 0x99");
  auto len = describe_ioctl_failure(kSnpGetExtReport, EIO, 0, kVmmErrInvalidLen);
  EXPECT_NE(len.find("SNP_GET_EXT_REPORT"), std::string::npos);
  EXPECT_NE(len.find("INVALID_LEN"), std::string::npos);
  EXPECT_EQ(len.find("VMPCK"), std::string::npos);  // a size probe costs nothing
  auto busy = describe_ioctl_failure(kSnpGetReport, EIO, 0, kVmmErrBusy);
  EXPECT_NE(busy.find("BUSY"), std::string::npos);
  auto unsent = describe_ioctl_failure(kSnpGetReport, EINVAL, kFwErrNotSent, 0);
  EXPECT_NE(unsent.find("did not reach the firmware"), std::string::npos);
}

}  // namespace
}  // namespace veritee::test
