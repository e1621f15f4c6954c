#include "vectors.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <openssl/evp.h>

#include "veritee/common/bytes.hpp"

namespace veritee::test {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

std::filesystem::path configured_dir() {
  const char* env = std::getenv("VERITEE_CORPUS_MEASURE");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env)
                                        : std::filesystem::path(VERITEE_CORPUS_MEASURE_DIR);
}

struct Vectors {
  std::vector<VectorRow> rows;
  std::map<std::string, std::string> debian_sha256;  // path -> sha256 the rows were made on
};

const Vectors& load() {
  static const Vectors v = [] {
    Vectors out;
    auto dir = measure_corpus_dir();
    if (!dir) {
      out.rows.emplace_back();
      return out;
    }
    std::ifstream in(*dir / "VECTORS.tsv");
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      if (line[0] == '#') {
        const std::string tag = "# debian-file: ";
        if (line.rfind(tag, 0) == 0) {
          std::istringstream words(line.substr(tag.size()));
          std::string path, word;
          words >> path;
          while (words >> word) {
            if (word.rfind("sha256=", 0) == 0) out.debian_sha256[path] = word.substr(7);
          }
        }
        continue;
      }
      if (header) {
        header = false;
        continue;
      }
      auto f = split_tabs(line);
      if (f.size() != 14) throw std::runtime_error("VECTORS.tsv: a row without 14 fields: " + line);
      out.rows.push_back(VectorRow{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
                                   f[10], f[11], f[12]});
    }
    if (out.rows.empty()) throw std::runtime_error("VECTORS.tsv has no rows");
    return out;
  }();
  return v;
}

std::string file_sha256(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return "";
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes->data(), bytes->size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(ByteView(md, len));
}

}  // namespace

std::optional<std::filesystem::path> measure_corpus_dir() {
  auto dir = configured_dir();
  if (std::filesystem::exists(dir / "VECTORS.tsv")) return dir;
  return std::nullopt;
}

std::string measure_corpus_location() { return configured_dir().string(); }

std::string VectorRow::test_name() const {
  std::string out;
  for (char c : id) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out.empty() ? "no_corpus" : out;
}

void PrintTo(const VectorRow& row, std::ostream* os) { *os << (row.id.empty() ? "-" : row.id); }

const std::vector<VectorRow>& vector_rows() { return load().rows; }

std::vector<VectorRow> vector_rows(const std::vector<std::string>& modes) {
  std::vector<VectorRow> out;
  for (const auto& r : vector_rows()) {
    for (const auto& m : modes) {
      if (r.mode == m) out.push_back(r);
    }
  }
  if (out.empty()) out.emplace_back();
  return out;
}

Resolved resolve_ovmf(const VectorRow& row) {
  const std::string prefix = "debian:";
  if (row.ovmf_file.rfind(prefix, 0) != 0) return {*measure_corpus_dir() / row.ovmf_file, ""};
  std::filesystem::path path = row.ovmf_file.substr(prefix.size());
  if (!std::filesystem::exists(path)) {
    return {path, path.string() + " is absent (apt-get install -y ovmf)"};
  }
  const auto& known = load().debian_sha256;
  auto it = known.find(path.string());
  const std::string want = it == known.end() ? "" : it->second;
  const std::string have = file_sha256(path);
  if (want.empty() || have != want) {
    return {path, path.string() + " is another build (sha256 " + have + ", the vectors were made on " +
                      want + ")"};
  }
  return {path, ""};
}

std::filesystem::path resolve_blob(const std::string& column,
                                   const std::filesystem::path& scratch) {
  if (column == "empty") {
    auto p = scratch / "empty.bin";
    std::ofstream(p, std::ios::binary | std::ios::trunc);
    return p;
  }
  return *measure_corpus_dir() / column;
}

}  // namespace veritee::test
