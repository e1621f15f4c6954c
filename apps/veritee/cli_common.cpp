#include "cli_common.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "output.hpp"
#include "snpguest_dir.hpp"

namespace veritee::cli {

void print_error(const Error& error) { print_error(error.message); }
void print_error(const std::string& message) {
  error_stream() << "veritee: " << message << '\n';
  record_error(message);
}

void print_check(const Check& c, std::size_t id_width) {
  std::string status(to_string(c.status));
  for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::cout << "  " << status << "  " << c.id;
  for (std::size_t i = c.id.size(); i < id_width; ++i) std::cout << ' ';
  std::cout << ' ' << c.detail << '\n';
}

Result<Bytes> read_input(const std::string& path) {
  if (path != "-") return read_file(path);
  static std::optional<Result<Bytes>> stdin_bytes;
  if (!stdin_bytes) stdin_bytes = read_fd(0, "stdin");
  return *stdin_bytes;
}

Result<snp::Evidence> load_evidence_file(const std::string& path) {
  Bytes bytes;
  if (path == "-") {
    auto read = read_input("-");
    if (!read) return std::unexpected(read.error());
    bytes = std::move(*read);
  } else if (auto dir = snpguest_dir(path); !dir || *dir) {
    // A directory of snpguest's files: its report (verify also takes its certificates).
    if (!dir) return std::unexpected(dir.error());
    auto read = read_file((*dir)->report);
    if (!read) return std::unexpected(read.error());
    bytes = std::move(*read);
  } else {
    auto read = read_file(path);
    if (!read) return std::unexpected(read.error());
    bytes = std::move(*read);
  }
  auto ev = snp::load_evidence(bytes);
  if (!ev) return fail(ev.error().code, path + ": " + ev.error().message);
  return ev;
}

std::optional<ReportInput> read_report_input(const std::string& path,
                                             const std::string& product_value) {
  auto product = product_flag(product_value);
  if (!product) {
    print_error(product.error());
    return std::nullopt;
  }
  auto evidence = load_evidence_file(path);
  if (!evidence) {
    print_error(evidence.error());
    return std::nullopt;
  }
  return ReportInput{std::move(*evidence), *product};
}

Result<std::optional<snp::Product>> product_flag(const std::string& value) {
  if (value.empty()) return std::optional<snp::Product>{};
  auto p = snp::parse_product(value);
  if (!p) return std::unexpected(p.error());
  return std::optional<snp::Product>{*p};
}

Result<veritee::TimePoint> time_flag(const std::string& value) {
  if (value.empty()) return std::chrono::system_clock::now();
  return veritee::parse_time(value);
}

Result<std::uint64_t> hex_u64_flag(const std::string& name, const std::string& text) {
  std::string digits = text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0 ? text.substr(2) : text;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 16);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return fail(Errc::kInvalidInput, name + ": expected a 64-bit hex value, got \"" + text + "\"");
  }
  return v;
}

Result<std::pair<std::string, int>> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return fail(Errc::kInvalidInput, "--listen wants ADDR:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  const long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535 || colon + 1 == text.size()) {
    return fail(Errc::kInvalidInput, "--listen: bad port in '" + text + "'");
  }
  return std::pair(host, static_cast<int>(port));
}

}  // namespace veritee::cli
