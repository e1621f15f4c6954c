// Evidence as it arrives in a file: the text or binary encoding, and the container the report
// sits in. Detection is explicit and reported; the report bytes handed on are exactly the
// input's (after hex/base64 decoding), never rebuilt.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/common/encoding.hpp"
#include "veritee/snp/report.hpp"

namespace veritee::snp {

enum class Container {
  kRawReport,     // exactly 0x4A0 bytes
  kAzureHcl,      // Azure vTPM HCL blob: 32-byte "HCLA" header, report at 0x20 (DESIGN.md 3.8)
  kMsgReportRsp,  // MSG_REPORT_RSP: status, report_size, 24 reserved, report at 0x20
                  // (ABI 1.58 Table 25), possibly in the kernel's zero-padded 4000-byte buffer
  kReportCertTable,  // a raw report followed by the host's certificate table (GUID table as
                     // SNP_GET_EXT_REPORT returns it): go-sev-guest's `attest -extended`
};

std::string_view to_string(Container container);  // "raw report", "Azure HCL blob", ...

struct Evidence {
  Bytes data;  // the decoded input (for binary input: the file's bytes)
  Encoding encoding = Encoding::kBinary;
  Container container = Container::kRawReport;
  std::size_t report_offset = 0;
  std::size_t cert_table_offset = 0;  // kReportCertTable: where the table starts

  // The certificate table that came with the report (empty for other containers).
  ByteView cert_table() const {
    return container == Container::kReportCertTable ? ByteView(data).subspan(cert_table_offset)
                                                    : ByteView();
  }

  ByteView report_bytes() const { return ByteView(data).subspan(report_offset, kReportSize); }
  Result<Report> report() const { return Report::parse(report_bytes()); }
  // "base64 text, Azure HCL blob (report at 0x20)".
  std::string describe() const;
};

// Decodes hex or base64 text when the input is text, then finds the report: a raw report of
// exactly 0x4A0 bytes, an HCL blob (magic "HCLA"), or a MSG_REPORT_RSP (status 0, report_size
// 0x4A0, reserved zero; trailing bytes only as zero padding up to 4000 bytes), or a raw report
// followed by a certificate table naming at least one VCEK/VLEK/ASK/ASVK/ARK. Anything else,
// including a raw report with bytes before or after it, is an error saying what was found.
Result<Evidence> load_evidence(ByteView input);

}  // namespace veritee::snp
