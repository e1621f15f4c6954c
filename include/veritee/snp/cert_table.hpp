// The certificate table a host hands the guest with an extended report (SNP_GET_EXT_REPORT,
// configfs-tsm `auxblob`): entries of a 16-byte GUID, u32 offset, u32 length, ended by an
// all-zero entry; offsets are from the start of the table (GHCB spec 2.03, section 4.1.8.1
// "SNP Extended Guest Request"; DESIGN.md 3.7). GUID bytes are in RFC 4122 order (the order
// of their text form), as Linux hosts, go-sev-guest and virtee/sev write and read them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::snp {

inline constexpr std::string_view kGuidVcek = "63da758d-e664-4564-adc5-f4b93be8accd";
inline constexpr std::string_view kGuidVlek = "a8074bc2-a25a-483e-aae6-39c045a0b8a1";
inline constexpr std::string_view kGuidAsk = "4ab7b379-bbac-4fe4-a02f-05aef327c782";
inline constexpr std::string_view kGuidArk = "c0b406a4-a803-4952-9743-3fb6014cd0ae";

struct CertTableEntry {
  std::string guid;  // canonical lowercase text
  std::string role;  // "vcek", "vlek", "ask", "ark", or "unknown"
  Bytes data;        // the certificate bytes as given (usually DER)
};

// Every entry, in table order; unknown GUIDs are kept with role "unknown". An entry whose
// offset/length runs past the end, or a table without its terminating zero entry, is an error.
Result<std::vector<CertTableEntry>> parse_cert_table(ByteView table);

// Builds a table (for tests and emulated hosts); `guid` must be canonical text.
Result<Bytes> build_cert_table(const std::vector<CertTableEntry>& entries);

std::string guid_to_string(ByteView sixteen_bytes);
Result<Bytes> guid_from_string(std::string_view text);

}  // namespace veritee::snp
