// The host's certificate table written out as files named by role, ready for
// `veritee verify --vcek ... --chain ...` (DESIGN.md 3.7 for the GUIDs).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"

namespace veritee::guest {

struct WrittenCert {
  std::string role;  // "vcek", "vlek", "ask", "ark", "unknown"
  std::string guid;
  std::size_t size = 0;
  std::vector<std::filesystem::path> files;
  std::string note;  // e.g. "not a DER certificate: kept as .bin"
};

// For each entry: <role>.der (the bytes as given) and <role>.pem when they parse as an X.509
// certificate; unknown GUIDs (and anything that does not parse) as <role>-<guid>.bin. When an
// ASK (or ASVK) and an ARK are present, chain.pem holds both (ASK first). Files are written
// atomically; the directory is created.
Result<std::vector<WrittenCert>> write_cert_table(ByteView table, const std::filesystem::path& dir);

}  // namespace veritee::guest
