#include "veritee/snp/evidence.hpp"

#include <algorithm>

#include "veritee/common/byte_reader.hpp"
#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/hcl_report.hpp"

namespace veritee::snp {
namespace {

// The kernel's struct snp_report_resp is a 4000-byte buffer (include/uapi/linux/sev-guest.h).
constexpr std::size_t kMsgReportRspBuffer = 4000;
constexpr std::size_t kMsgReportRspHeader = 0x20;  // status, report_size, 24 reserved

Result<void> find_report(Evidence& ev) {
  ByteView data(ev.data);
  ByteReader r(data);
  if (data.size() >= 4 && r.le_at<std::uint32_t>(0) == kHclMagic) {
    if (data.size() < kHclReportOffset + kReportSize) {
      return fail(Errc::kTruncated, "truncated HCL report: " + std::to_string(data.size()) +
                                        " bytes, the report alone ends at 0x4C0");
    }
    ev.container = Container::kAzureHcl;
    ev.report_offset = kHclReportOffset;
    return {};
  }
  if (data.size() == kReportSize) {
    ev.container = Container::kRawReport;
    ev.report_offset = 0;
    return {};
  }
  if (data.size() >= kMsgReportRspHeader + kReportSize &&
      r.le_at<std::uint32_t>(4) == kReportSize &&
      all_zero(*r.bytes_at(8, kMsgReportRspHeader - 8))) {
    std::uint32_t status = *r.le_at<std::uint32_t>(0);
    if (status != 0) {
      return fail(Errc::kInvalidInput, "MSG_REPORT_RSP carries firmware status " +
                                           std::to_string(status) + " and no valid report");
    }
    auto tail = data.subspan(kMsgReportRspHeader + kReportSize);
    if (data.size() > kMsgReportRspBuffer || !all_zero(tail)) {
      return fail(Errc::kInvalidInput,
                  "MSG_REPORT_RSP followed by " + std::to_string(tail.size()) +
                      " bytes that are not the kernel's zero padding (buffer is 4000 bytes)");
    }
    ev.container = Container::kMsgReportRsp;
    ev.report_offset = kMsgReportRspHeader;
    return {};
  }
  // go-sev-guest's `attest -extended`: the report, then the certificate table the host gave
  // with it (GHCB spec 4.1.8.1 layout). Only a table that parses and names a known certificate
  // counts: other trailing bytes stay an error.
  if (data.size() > kReportSize) {
    auto table = parse_cert_table(data.subspan(kReportSize));
    if (table && std::any_of(table->begin(), table->end(),
                             [](const CertTableEntry& e) { return e.role != "unknown"; })) {
      ev.container = Container::kReportCertTable;
      ev.report_offset = 0;
      ev.cert_table_offset = kReportSize;
      return {};
    }
  }
  if (data.size() < kReportSize) {
    return fail(Errc::kTruncated, "truncated report: " + std::to_string(data.size()) +
                                      " bytes, an ATTESTATION_REPORT is 1184 (0x4A0)");
  }
  return fail(Errc::kInvalidInput,
              std::to_string(data.size()) +
                  " bytes that are neither a raw report (exactly 1184 bytes), an Azure HCL blob "
                  "(magic HCLA) nor a MSG_REPORT_RSP (report_size 0x4A0 at offset 4)");
}

}  // namespace

std::string_view to_string(Container container) {
  switch (container) {
    case Container::kRawReport: return "raw report";
    case Container::kAzureHcl: return "Azure HCL blob";
    case Container::kMsgReportRsp: return "SNP MSG_REPORT_RSP";
    case Container::kReportCertTable: return "report + certificate table";
  }
  return "unknown";
}

std::string Evidence::describe() const {
  std::string s = std::string(to_string(encoding)) + ", " + std::string(to_string(container));
  if (report_offset != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (report at 0x%zX)", report_offset);
    s += buf;
  }
  if (container == Container::kReportCertTable) {
    std::string roles;
    if (auto table = parse_cert_table(cert_table())) {
      for (const auto& e : *table) roles += (roles.empty() ? "" : ", ") + e.role;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, " (certificate table at 0x%zX: ", cert_table_offset);
    s += buf + roles + ")";
  }
  return s;
}

Result<Evidence> load_evidence(ByteView input) {
  Evidence ev;
  if (input.empty()) return fail(Errc::kTruncated, "empty input: no report");
  auto decoded = decode_input(input);
  if (!decoded) return std::unexpected(decoded.error());
  ev.encoding = decoded->encoding;
  ev.data = std::move(decoded->data);
  if (auto found = find_report(ev); !found) {
    auto e = found.error();
    if (ev.encoding != Encoding::kBinary) {
      e.message = std::string(to_string(ev.encoding)) + " text decoded to " + e.message;
    }
    return std::unexpected(e);
  }
  return ev;
}

}  // namespace veritee::snp
