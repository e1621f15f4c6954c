// Which product's TCB layout applies to a report (DESIGN.md 3.3): CPUID for v3+, else the
// user's choice or the signing certificate; every claim present must agree.
#include "veritee/snp/product_decision.hpp"

#include "veritee/snp/chip_identity.hpp"

namespace veritee::snp {

std::string_view to_string(ProductSource source) {
  switch (source) {
    case ProductSource::kCpuid: return "cpuid";
    case ProductSource::kUser: return "--product";
    case ProductSource::kCertificate: return "certificate";
  }
  return "";
}

std::string_view ProductDecision::source_name() const {
  return source ? to_string(*source) : std::string_view{};
}

namespace {
std::string describe(ProductSource source) {
  switch (source) {
    case ProductSource::kCpuid: return "cpuid";
    case ProductSource::kUser: return "the user's product";
    case ProductSource::kCertificate: return "certificate";
  }
  return "";
}
}  // namespace

ProductDecision decide_product(const Report& report, std::optional<Product> user,
                               std::optional<Product> from_certificate) {
  ProductDecision d;
  if (auto cpuid = report.cpuid_product()) {
    if (cpuid->has_value()) {
      d.claims.push_back({(*cpuid)->product, ProductSource::kCpuid});
    } else {
      d.problem = cpuid->error().message;
    }
  }
  if (from_certificate) d.claims.push_back({*from_certificate, ProductSource::kCertificate});
  if (user) d.claims.push_back({*user, ProductSource::kUser});

  if (d.claims.empty()) {
    if (d.problem.empty()) {
      d.problem = "product unknown: a v" + std::to_string(report.version()) +
                  " report carries no CPUID, and neither the user nor a signing certificate "
                  "names the product";
    }
    return d;
  }
  const ProductClaim& first = d.claims.front();
  d.product = first.product;
  d.source = first.source;
  for (const ProductClaim& c : d.claims) {
    if (c.product == first.product) continue;
    d.disputed = true;
    std::string msg = "product mismatch: " + describe(first.source) + " says " +
                      std::string(to_string(first.product)) + " but " + describe(c.source) +
                      " says " + std::string(to_string(c.product));
    d.problem = d.problem.empty() ? msg : d.problem + "; " + msg;
  }
  return d;
}

Result<std::optional<Product>> product_of_signer(const x509::Certificate& signer,
                                                 const x509::AmdExtensions& extensions,
                                                 std::string* how) {
  if (extensions.product_name) {
    auto named = product_from_certificate_name(*extensions.product_name);
    if (!named) return std::unexpected(named.error());
    if (how) *how = "certificate productName '" + *extensions.product_name + "'";
    return std::optional<Product>(*named);
  }
  // No productName: the signer's issuer names the line ("SEV-Milan", "SEV-VLEK-Genoa").
  const std::string issuer = signer.issuer_cn();
  if (auto named = product_from_certificate_name(issuer)) {
    if (how) *how = "certificate issuer '" + issuer + "'";
    return std::optional<Product>(*named);
  }
  return std::optional<Product>();
}

}  // namespace veritee::snp
