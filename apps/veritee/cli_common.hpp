// Helpers the sub-commands share: reading evidence and flags, printing errors.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "veritee/x509/certificate.hpp"
#include "veritee/common/check.hpp"
#include "veritee/common/error.hpp"
#include "exit_codes.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/product.hpp"

namespace veritee::cli {

// "veritee: <message>" on stderr (even under --quiet), kept for the --json error object.
void print_error(const Error& error);
void print_error(const std::string& message);
// One check as `verify` prints it: "  PASS  chain.vcek           <detail>", the id padded to
// `id_width` columns.
void print_check(const Check& check, std::size_t id_width = 18);

// The bytes of an input file, "-" being stdin: read once and kept, so a command can look at
// stdin (a DCAP quote or an SNP report?) and then read it again.
Result<Bytes> read_input(const std::string& path);

// Reads and unwraps an evidence file ("-" is stdin).
Result<snp::Evidence> load_evidence_file(const std::string& path);

// A report file and the --product flag, read together by show, verify and fetch.
struct ReportInput {
  snp::Evidence evidence;
  std::optional<snp::Product> product;  // --product, when given
  // load_evidence leaves a whole report at report_offset, so this view always parses.
  snp::Report report() const { return evidence.report().value(); }
};

// Prints why and returns nothing when the flag or the file is unusable (exit code 2).
std::optional<ReportInput> read_report_input(const std::string& path,
                                             const std::string& product_value);

// --product value, empty when the flag was not given.
Result<std::optional<snp::Product>> product_flag(const std::string& value);

// A 64-bit hex flag value, with or without 0x ("0x21", "800f12"); the error names the flag.
Result<std::uint64_t> hex_u64_flag(const std::string& name, const std::string& text);

// --at value (RFC 3339), now when empty.
Result<veritee::TimePoint> time_flag(const std::string& value);

// --listen ADDR:PORT ("[::1]:8080" for IPv6): the host and port.
Result<std::pair<std::string, int>> parse_listen(const std::string& text);

}  // namespace veritee::cli
