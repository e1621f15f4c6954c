// snpguest's files (virtee/snpguest): `snpguest report FILE` writes the raw report and
// `snpguest certificates pem|der DIR` writes ark, ask (or asvk) and vcek (or vlek) as
// DIR/<name>.pem or .der. A directory holding both, or the certificates directory alone, is
// read as the report and its endorsements (explicit files, as --vcek and --chain).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "veritee/common/error.hpp"

namespace veritee::cli {

struct SnpguestCerts {
  std::optional<std::filesystem::path> signer;  // vcek or vlek
  std::vector<std::filesystem::path> chain;     // ask or asvk, then ark
  bool empty() const { return !signer && chain.empty(); }
  std::string describe() const;  // "vcek.pem, ask.pem, ark.pem"
};

// The certificates snpguest wrote into `dir` (none: empty).
SnpguestCerts snpguest_certs(const std::filesystem::path& dir);

struct SnpguestDir {
  std::filesystem::path report;  // attestation-report.bin, report.bin, or the one *.bin
  std::filesystem::path certs_dir;
  SnpguestCerts certs;
  std::string describe() const;
};

// nullopt when `path` is not a directory; an error when it is one without a report file.
Result<std::optional<SnpguestDir>> snpguest_dir(const std::filesystem::path& path);

}  // namespace veritee::cli
