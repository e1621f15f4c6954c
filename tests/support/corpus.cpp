#include "support/corpus.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/evp.h>

#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee::test {
namespace {

std::filesystem::path configured_corpus() {
  if (const char* env = std::getenv("VERITEE_CORPUS"); env != nullptr && *env != '\0') {
    return env;
  }
  return VERITEE_CORPUS_DIR;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Bytes decode_hex_text(const Bytes& text) {
  Bytes out;
  int high = -1;
  for (std::uint8_t ch : text) {
    char c = static_cast<char>(ch);
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = hex_digit(c);
    if (v < 0) throw std::runtime_error("corpus hex file has a non-hex character");
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0) throw std::runtime_error("corpus hex file has an odd digit count");
  return out;
}

// Base64 through OpenSSL's streaming decoder (independent of veritee::from_base64).
Bytes decode_base64_text(const Bytes& text) {
  std::string clean;
  for (std::uint8_t ch : text) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    clean.push_back(static_cast<char>(ch));
  }
  Bytes out(clean.size() / 4 * 3 + 3);
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  EVP_DecodeInit(ctx);
  int n1 = 0;
  int n2 = 0;
  int rc = EVP_DecodeUpdate(ctx, out.data(), &n1,
                            reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
  int rc2 = EVP_DecodeFinal(ctx, out.data() + n1, &n2);
  EVP_ENCODE_CTX_free(ctx);
  if (rc < 0 || rc2 < 0) throw std::runtime_error("corpus base64 file does not decode");
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

std::optional<std::filesystem::path> corpus_dir() {
  auto dir = configured_corpus();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / "MANIFEST.tsv", ec)) return std::nullopt;
  return std::filesystem::weakly_canonical(dir, ec);
}

std::string corpus_location() { return configured_corpus().string(); }

std::string ManifestRow::base_encoding() const {
  return encoding.substr(0, encoding.find('+'));
}

std::string ManifestRow::container() const {
  auto plus = encoding.find('+');
  if (plus == std::string::npos) return "";
  auto rest = encoding.substr(plus + 1);
  return rest.substr(0, rest.find_first_of("@ ("));
}

std::size_t ManifestRow::report_offset() const {
  auto sign = encoding.rfind('@');
  if (sign == std::string::npos) return 0;
  return static_cast<std::size_t>(std::stoul(encoding.substr(sign + 1), nullptr, 0));
}

std::optional<snp::Product> ManifestRow::product_value() const {
  if (product == "milan") return snp::Product::kMilan;
  if (product == "genoa") return snp::Product::kGenoa;
  if (product == "turin") return snp::Product::kTurin;
  return std::nullopt;
}

std::string ManifestRow::test_name() const {
  if (report.empty()) return "NoCorpus";
  std::string name;
  for (char c : report) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      name.push_back(c);
    } else if (name.empty() || name.back() != '_') {
      name.push_back('_');
    }
  }
  return name;
}

void PrintTo(const ManifestRow& row, std::ostream* os) {
  if (row.is_placeholder()) {
    *os << "<no corpus>";
    return;
  }
  *os << row.report << " [" << row.encoding << ", v" << row.version << ", " << row.product << ", "
      << row.key << "]";
}

std::vector<ManifestRow> load_manifest() {
  auto dir = corpus_dir();
  if (!dir) return {};
  std::ifstream in(*dir / "MANIFEST.tsv");
  if (!in) throw std::runtime_error("cannot open MANIFEST.tsv");
  std::vector<ManifestRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto f = split_tabs(line);
    if (f.size() != 9) {
      throw std::runtime_error("MANIFEST.tsv line with " + std::to_string(f.size()) +
                               " columns (want 9): " + line);
    }
    ManifestRow row;
    row.report = f[0];
    row.encoding = f[1];
    row.version = std::stoi(f[2]);
    row.product = f[3];
    row.key = f[4];
    row.signer = f[5];
    row.chain = f[6];
    row.at = f[7];
    row.oracle = f[8];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ManifestRow> all_manifest_rows() {
  return manifest_rows([](const ManifestRow&) { return true; });
}

std::string ManifestRowName::operator()(const testing::TestParamInfo<ManifestRow>& info) const {
  return info.param.test_name();
}

std::filesystem::path corpus_path(std::string_view relative) {
  auto dir = corpus_dir();
  return dir.value_or(configured_corpus()) / relative;
}

Bytes read_corpus(std::string_view relative) {
  std::ifstream in(corpus_path(relative), std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read corpus file " << corpus_path(relative);
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return Bytes(s.begin(), s.end());
}

Bytes decoded_input(const ManifestRow& row) {
  Bytes raw = read_corpus(row.report);
  auto enc = row.base_encoding();
  if (enc == "hex") return decode_hex_text(raw);
  if (enc == "base64") return decode_base64_text(raw);
  return raw;
}

Bytes report_bytes_of(const ManifestRow& row) {
  Bytes input = decoded_input(row);
  std::size_t off = row.report_offset();
  if (input.size() < off + 0x4A0) {
    ADD_FAILURE() << "corpus input " << row.report << " is too short for a report at " << off;
    return {};
  }
  return Bytes(input.begin() + static_cast<std::ptrdiff_t>(off),
               input.begin() + static_cast<std::ptrdiff_t>(off + 0x4A0));
}

veritee::TimePoint row_time(const ManifestRow& row) {
  if (row.at == "-" || row.at.empty()) return std::chrono::system_clock::now();
  // Parsed here with the C library, independently of veritee::parse_time.
  std::tm tm{};
  std::istringstream in(row.at);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  if (in.fail()) {
    ADD_FAILURE() << "manifest time not in YYYY-MM-DDTHH:MM:SSZ form: " << row.at;
    return std::chrono::system_clock::now();
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Endorsements endorsements_of(const ManifestRow& row) {
  Endorsements e;
  if (row.has_signer()) {
    auto certs = x509::Certificate::load_file(corpus_path(row.signer));
    if (!certs || certs->empty()) {
      ADD_FAILURE() << "cannot load signer " << row.signer << ": "
                    << (certs ? "no certificate" : certs.error().message);
    } else {
      e.signer = certs->front();
    }
  }
  if (row.has_chain()) {
    auto certs = x509::Certificate::load_file(corpus_path(row.chain));
    if (!certs) {
      ADD_FAILURE() << "cannot load chain " << row.chain << ": " << certs.error().message;
    } else {
      e.chain = *certs;
    }
  }
  return e;
}

std::uint32_t le32(const Bytes& b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b.at(at + i)) << (8 * i);
  return v;
}

std::uint64_t le64(const Bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(b.at(at + i)) << (8 * i);
  return v;
}

}  // namespace veritee::test
