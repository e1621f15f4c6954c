// Report::parse and everything that reads a parsed report: accessors, findings for each product,
// product determination and the JSON/text renderings. Inputs shorter than a report are also
// zero-padded to 0x4A0 bytes so the fuzzer reaches the field decoders quickly.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "veritee/snp/report.hpp"
#include "veritee/snp/report_format.hpp"

namespace {

using veritee::snp::Product;

void exercise(const veritee::snp::Report& r) {
  const std::optional<Product> products[] = {std::nullopt, Product::kMilan, Product::kGenoa,
                                             Product::kTurin};
  (void)r.version_known();
  (void)r.cpuid();
  (void)r.cpuid_product();
  (void)r.launch_mit_vector();
  (void)r.current_mit_vector();
  (void)r.current_version().to_string();
  (void)r.committed_version().to_string();
  (void)r.key_info().signing_key();
  for (const auto& p : products) {
    (void)r.findings(p);
    if (p) {
      for (auto tcb : {r.current_tcb(), r.reported_tcb(), r.committed_tcb(), r.launch_tcb()}) {
        (void)tcb.decode(*p).to_string();
        (void)tcb.reserved_clear(*p);
      }
    }
  }
  // Rendering allocates a lot (slow under ASan): no product, each layout, and a conflict.
  const std::pair<std::optional<Product>, std::optional<Product>> contexts[] = {
      {std::nullopt, std::nullopt},
      {Product::kMilan, std::nullopt},
      {Product::kTurin, std::nullopt},
      {Product::kMilan, Product::kTurin}};
  for (const auto& [user, cert] : contexts) {
    auto ctx = veritee::snp::decide_product(r, user, cert);
    // dump() throws on invalid UTF-8: every string in the JSON must be valid.
    (void)veritee::snp::report_to_json(r, ctx).dump();
    (void)veritee::snp::report_to_text(r, ctx);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  veritee::ByteView input(data, size);
  if (auto r = veritee::snp::Report::parse(input)) {
    exercise(*r);
  } else if (size < veritee::snp::kReportSize) {
    veritee::Bytes padded(input.begin(), input.end());
    padded.resize(veritee::snp::kReportSize, 0);
    if (auto p = veritee::snp::Report::parse(padded)) exercise(*p);
  }
  return 0;
}
