// veritee show [--json] [--product P] FILE: every field of a report, as text or JSON.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "dcap_cli.hpp"
#include "snpguest_dir.hpp"
#include "veritee/common/check.hpp"
#include "veritee/snp/report_format.hpp"

namespace veritee::cli {
namespace {

struct ShowOptions {
  std::string file;
  std::string product;
  bool json = false;
};

int run_show(const ShowOptions& opts) {
  if (is_dcap_quote_file(opts.file)) return run_dcap_show(opts.file, opts.json);
  auto input = read_report_input(opts.file, opts.product);
  if (!input) return kExitUsage;
  const auto& product = input->product;
  const snp::Evidence& evidence = input->evidence;
  const snp::Report report = input->report();
  auto ctx = snp::decide_product(report, product, std::nullopt);
  bool has_errors = false;
  for (const auto& f : report.findings(ctx.product)) {
    has_errors |= f.severity == snp::Finding::Severity::kError;
  }
  if (opts.json) {
    auto j = snp::report_to_json(report, ctx);
    j["evidence"] = {{"encoding", std::string(veritee::to_string(evidence.encoding))},
                     {"container", std::string(snp::to_string(evidence.container))},
                     {"report_offset", evidence.report_offset}};
    j["raw"] = to_hex(report.bytes());
    std::cout << j.dump(2) << '\n';
    return kExitVerified;
  }
  if (auto dir = snpguest_dir(opts.file); dir && *dir) std::cout << (*dir)->describe() << '\n';
  std::cout << "evidence: " << evidence.describe() << '\n' << snp::report_to_text(report, ctx);
  if (has_errors) {
    std::cout << "raw bytes (0x4A0):\n";
    const std::string hex = to_hex(report.bytes());
    for (std::size_t i = 0; i < hex.size(); i += 64) {
      char off[32];
      std::snprintf(off, sizeof off, "  %03zx: ", i / 2);
      std::cout << off << hex.substr(i, 64) << '\n';
    }
  }
  return kExitVerified;
}

const Registration kShow{{"show", "Decode every field of an attestation report or DCAP quote", 10,
                          [](CLI::App& cmd) -> Runner {
                            auto opts = std::make_shared<ShowOptions>();
                            cmd.add_option("FILE", opts->file,
                                           "report: binary, hex or base64; raw, Azure HCL blob "
                                           "or MSG_REPORT_RSP ('-' for stdin)")
                                ->required();
                            cmd.add_flag("--json", opts->json, "print JSON (docs/json.md)");
                            cmd.add_option("--product", opts->product,
                                           "milan, genoa or turin, for v2 reports (no CPUID)");
                            return [opts] { return run_show(*opts); };
                          }}};

}  // namespace
}  // namespace veritee::cli
