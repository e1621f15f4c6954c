// Which product's TCB layout applies to a report (DESIGN.md 3.3): CPUID for v3+, else the
// user's --product or the signing certificate; every source present must agree.
#include <vector>

#include "veritee/snp/report_format.hpp"

namespace veritee::snp {

ProductContext determine_product(const Report& report, std::optional<Product> user,
                                 std::optional<Product> from_certificate) {
  struct Source {
    Product product;
    std::string name;
  };
  std::vector<Source> sources;
  ProductContext ctx;
  if (auto cpuid = report.cpuid_product()) {
    if (cpuid->has_value()) {
      sources.push_back({(*cpuid)->product, "cpuid"});
    } else {
      ctx.problem = cpuid->error().message;
    }
  }
  if (from_certificate) sources.push_back({*from_certificate, "certificate"});
  if (user) sources.push_back({*user, "--product"});

  if (sources.empty()) {
    if (ctx.problem.empty()) {
      ctx.problem = "product unknown: a v" + std::to_string(report.version()) +
                    " report carries no CPUID, and neither --product nor a signing certificate "
                    "names the product";
    }
    return ctx;
  }
  ctx.product = sources.front().product;
  ctx.source = sources.front().name;
  for (const Source& s : sources) {
    if (s.product != sources.front().product) {
      std::string msg = "product mismatch: " + sources.front().name + " says " +
                        std::string(to_string(sources.front().product)) + " but " + s.name +
                        " says " + std::string(to_string(s.product));
      ctx.problem = ctx.problem.empty() ? msg : ctx.problem + "; " + msg;
    }
  }
  return ctx;
}

}  // namespace veritee::snp
