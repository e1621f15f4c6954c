// `veritee show` for a DCAP quote: every field, as text or JSON (docs/json.md).
#include <iostream>

#include "cli_common.hpp"
#include "dcap_cli.hpp"
#include "veritee/common/check.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/quote_format.hpp"
#include "veritee/tdx/result_json.hpp"

namespace veritee::cli {

bool is_dcap_quote_file(const std::string& path) {
  auto bytes = read_input(path);
  if (!bytes) return false;  // the SNP path reports the unreadable file
  auto decoded = decode_input(*bytes);
  return decoded && tdx::looks_like_quote(decoded->data);
}

// The quote in FILE, or nothing after printing why (exit 2).
std::optional<tdx::QuoteInput> read_quote_file(const std::string& path) {
  auto bytes = read_input(path);
  if (!bytes) {
    print_error(bytes.error());
    return std::nullopt;
  }
  auto in = tdx::load_quote(*bytes);
  if (!in) {
    print_error(path + ": " + in.error().message);
    return std::nullopt;
  }
  return std::move(*in);
}

int run_dcap_show(const std::string& path, bool json) {
  auto in = read_quote_file(path);
  if (!in) return kExitUsage;
  if (json) {
    std::cout << tdx::quote_input_to_json(*in).dump(2) << '\n';
    return kExitVerified;
  }
  std::cout << "evidence: " << in->encoding << ", DCAP quote\n" << tdx::quote_to_text(in->quote);
  return kExitVerified;
}

}  // namespace veritee::cli
