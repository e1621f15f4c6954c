// `veritee verify QUOTE --collateral FILE [--at T] [--json]`: every DCAP check, the TCB status
// and advisories.
#include <iostream>
#include <optional>

#include "cli_common.hpp"
#include "dcap_cli.hpp"
#include "veritee/tdx/result_json.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::cli {

std::optional<tdx::QuoteInput> read_quote_file(const std::string& path);  // dcap_show.cpp

namespace {

void print_text(const tdx::QuoteInput& in, const tdx::DcapResult& r) {
  const tdx::Quote& q = in.quote;
  std::cout << "evidence: " << in.encoding << ", DCAP quote version " << q.header().version << " ("
            << tdx::to_string(q.tee()) << ")\n";
  for (const Check& c : r.checks.checks) {
    std::string status(to_string(c.status));
    for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::cout << "  " << status << "  " << c.id;
    for (std::size_t i = c.id.size(); i < 24; ++i) std::cout << ' ';
    std::cout << ' ' << c.detail << '\n';
  }
  if (r.status) {
    std::cout << "TCB status: " << tdx::to_string(*r.status);
    if (!r.advisories.empty()) {
      std::cout << " (advisories:";
      for (const auto& a : r.advisories) std::cout << ' ' << a;
      std::cout << ')';
    }
    std::cout << '\n';
  }
  std::cout << (r.verified() ? "verified: the quote is authentic Intel " +
                                   std::string(tdx::to_string(q.tee())) + " evidence\n"
                             : std::string("NOT verified\n"));
}

}  // namespace

int run_dcap_verify(const std::string& path, const std::string& collateral_path,
                    const std::string& at, bool json) {
  auto now = time_flag(at);
  if (!now) {
    print_error(now.error());
    return kExitUsage;
  }
  auto in = read_quote_file(path);
  if (!in) return kExitUsage;
  if (collateral_path.empty()) {
    print_error(path + ": a DCAP quote is verified against its collateral: give --collateral FILE "
                       "(the PCCS/PCS JSON: TCB Info, QE Identity, CRLs and issuer chains)");
    return kExitEndorsement;
  }
  auto collateral = tdx::load_collateral_file(collateral_path);
  if (!collateral) {
    print_error(collateral.error());
    return kExitEndorsement;
  }
  tdx::DcapResult result = tdx::verify_quote(in->quote, *collateral, {*now});
  if (json) {
    std::cout << tdx::dcap_result_to_json(*in, result, exit_code_of(result.checks.verdict())).dump(2) << '\n';
  } else {
    print_text(*in, result);
  }
  return exit_code_of(result.checks.verdict());
}

}  // namespace veritee::cli
