#include "snpguest_dir.hpp"

namespace veritee::cli {
namespace {

std::optional<std::filesystem::path> first_file(const std::filesystem::path& dir,
                                                std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (const char* ext : {".pem", ".der"}) {
      auto p = dir / (std::string(name) + ext);
      if (std::filesystem::is_regular_file(p)) return p;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string SnpguestCerts::describe() const {
  std::string out;
  if (signer) out = signer->filename().string();
  for (const auto& c : chain) out += (out.empty() ? "" : ", ") + c.filename().string();
  return out.empty() ? "no certificates" : out;
}

SnpguestCerts snpguest_certs(const std::filesystem::path& dir) {
  SnpguestCerts out;
  out.signer = first_file(dir, {"vcek", "vlek"});
  if (auto ca = first_file(dir, {"ask", "asvk"})) out.chain.push_back(*ca);
  if (auto ark = first_file(dir, {"ark"})) out.chain.push_back(*ark);
  return out;
}

std::string SnpguestDir::describe() const {
  return "snpguest files: report " + report.filename().string() + ", certificates in " +
         certs_dir.string() + ": " + certs.describe();
}

Result<std::optional<SnpguestDir>> snpguest_dir(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return std::optional<SnpguestDir>{};
  SnpguestDir out;
  for (const char* name : {"attestation-report.bin", "report.bin"}) {
    if (std::filesystem::is_regular_file(path / name)) {
      out.report = path / name;
      break;
    }
  }
  if (out.report.empty()) {
    std::vector<std::filesystem::path> bins;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".bin") bins.push_back(e.path());
    }
    if (bins.size() != 1) {
      return fail(Errc::kInvalidInput,
                  path.string() + ": a directory, but not one with snpguest's report (" +
                      "attestation-report.bin, report.bin or a single *.bin file; found " +
                      std::to_string(bins.size()) + " *.bin files)");
    }
    out.report = bins.front();
  }
  out.certs_dir = std::filesystem::is_directory(path / "certs") ? path / "certs" : path;
  out.certs = snpguest_certs(out.certs_dir);
  return std::optional<SnpguestDir>{std::move(out)};
}

}  // namespace veritee::cli
