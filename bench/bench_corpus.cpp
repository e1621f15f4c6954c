#include "bench_corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "veritee/snp/evidence.hpp"

namespace veritee::bench {
namespace {

// Genuine, AMD-signed reports with an independent PASS in MANIFEST.tsv: Genoa v3 first (the
// report the peers also accept), then Milan v3 and Turin v5.
struct Wanted {
  const char* name;
  const char* report;
};
constexpr Wanted kWanted[] = {
    {"genoa", "ms-tee-attestation-verification/genoa_attestation_report.bin"},
    {"milan", "ms-tee-attestation-verification/milan_attestation_report.bin"},
    {"turin", "ms-tee-attestation-verification/turin_attestation_report.bin"},
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep)) out.push_back(cell);
  return out;
}

}  // namespace

veritee::TimePoint BenchCase::now() const { return at ? *at : std::chrono::system_clock::now(); }

std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("VERITEE_CORPUS"); env && *env) return env;
  return VERITEE_CORPUS_DIR;
}

Bytes read_or_throw(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) throw std::runtime_error(bytes.error().message);
  return std::move(*bytes);
}

std::vector<BenchCase> bench_cases(const std::string& only) {
  const auto dir = corpus_dir();
  std::ifstream manifest(dir / "MANIFEST.tsv");
  if (!manifest) {
    throw std::runtime_error("no corpus at " + dir.string() +
                             " (MANIFEST.tsv missing); set VERITEE_CORPUS");
  }
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(split(line, '\t'));
  }
  const auto wanted_names = only.empty() ? std::vector<std::string>{} : split(only, ',');
  std::vector<BenchCase> out;
  for (const Wanted& w : kWanted) {
    if (!wanted_names.empty() &&
        std::find(wanted_names.begin(), wanted_names.end(), w.name) == wanted_names.end()) {
      continue;
    }
    // Columns: report encoding version product key signer chain at oracle.
    auto row = std::find_if(rows.begin(), rows.end(), [&](const auto& r) {
      return r.size() >= 9 && r[0] == w.report;
    });
    if (row == rows.end()) {
      throw std::runtime_error(std::string("MANIFEST.tsv has no row for ") + w.report);
    }
    const auto& r = *row;
    if (r[5] == "-" || r[6] == "-") {
      throw std::runtime_error(std::string(w.report) + " has no signer/chain in the manifest");
    }
    BenchCase c;
    c.name = w.name;
    c.report_rel = w.report;
    c.report = dir / r[0];
    c.signer = dir / r[5];
    c.chain.push_back(dir / r[6]);
    if (r[7] != "-") {
      auto t = veritee::parse_time(r[7]);
      if (!t) throw std::runtime_error("manifest time " + r[7] + ": " + t.error().message);
      c.at = *t;
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) throw std::runtime_error("no benchmark case matches '" + only + "'");
  return out;
}

LoadedCase load_case(const BenchCase& spec) {
  LoadedCase lc;
  lc.spec = spec;
  lc.file = read_or_throw(spec.report);
  auto evidence = snp::load_evidence(lc.file);
  if (!evidence) throw std::runtime_error(spec.report.string() + ": " + evidence.error().message);
  auto view = evidence->report_bytes();
  lc.report.assign(view.begin(), view.end());
  lc.signer_bytes = read_or_throw(spec.signer);
  auto signer = x509::Certificate::load_all(lc.signer_bytes);
  if (!signer || signer->size() != 1) {
    throw std::runtime_error(spec.signer.string() + ": not one certificate");
  }
  lc.endorsements.signer = signer->front();
  for (const auto& path : spec.chain) {
    lc.chain_bytes.push_back(read_or_throw(path));
    auto certs = x509::Certificate::load_all(lc.chain_bytes.back());
    if (!certs) throw std::runtime_error(path.string() + ": " + certs.error().message);
    for (auto& c : *certs) lc.endorsements.chain.push_back(std::move(c));
  }
  return lc;
}

}  // namespace veritee::bench
