// Container and encoding detection: load_evidence (binary/hex/base64; raw, Azure HCL,
// MSG_REPORT_RSP), the HCL blob parser with its runtime-claims binding, and the certificate
// table parser.
#include <cstddef>
#include <cstdint>

#include "veritee/snp/cert_table.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/hcl_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  veritee::ByteView input(data, size);
  if (auto ev = veritee::snp::load_evidence(input)) {
    (void)ev->describe();
    auto bytes = ev->report_bytes();
    if (bytes.size() != veritee::snp::kReportSize) __builtin_trap();
    if (auto r = ev->report()) (void)r->findings();
  }
  if (auto hcl = veritee::snp::parse_hcl_report(input)) {
    (void)hcl->runtime_claims_bound();
    if (auto r = veritee::snp::Report::parse(hcl->report)) (void)r->findings();
  }
  if (auto table = veritee::snp::parse_cert_table(input)) {
    for (const auto& e : *table) (void)e.role.size();
  }
  return 0;
}
