#include "support/dcap_corpus.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace veritee::test::dcap {
namespace {

std::filesystem::path configured() {
  if (const char* env = std::getenv("VERITEE_CORPUS_DCAP"); env && *env) return env;
  std::filesystem::path snp = VERITEE_CORPUS_DIR;
  if (const char* env = std::getenv("VERITEE_CORPUS"); env && *env) snp = env;
  return snp.parent_path() / "corpus-dcap";
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, '\t');) out.push_back(cell);
  return out;
}

}  // namespace

std::optional<std::filesystem::path> corpus_dir() {
  auto dir = configured();
  if (std::filesystem::exists(dir / "MANIFEST.tsv")) return dir;
  return std::nullopt;
}

std::string corpus_location() { return configured().string(); }

std::filesystem::path corpus_path(const std::string& relative) { return configured() / relative; }

Bytes read_corpus(const std::string& relative) {
  std::ifstream in(corpus_path(relative), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read DCAP corpus file " + relative);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

std::string Row::name() const {
  if (quote.empty()) return "NoCorpus";
  std::string name;
  for (char c : quote + "_" + at) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      name.push_back(c);
    } else if (name.empty() || name.back() != '_') {
      name.push_back('_');
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name;
}

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.quote << " @ " << row.at << " -> " << row.expected;
}

std::vector<Row> rows(bool with_collateral) {
  std::vector<Row> out;
  if (auto dir = corpus_dir()) {
    std::ifstream in(*dir / "MANIFEST.tsv");
    bool header = true;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      if (header) {
        header = false;
        continue;
      }
      auto cells = split_tabs(line);
      if (cells.size() != 9) throw std::runtime_error("malformed DCAP MANIFEST line: " + line);
      Row r{cells[0], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7], cells[8],
            std::stoi(cells[1])};
      if (!with_collateral || r.has_collateral()) out.push_back(r);
    }
  }
  if (out.empty()) out.push_back(Row{});
  return out;
}

std::vector<Row> distinct_quotes() {
  std::vector<Row> out;
  std::set<std::string> seen;
  for (auto& r : rows(false)) {
    if (seen.insert(r.quote).second) {
      r.at = "";
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace veritee::test::dcap
