#include "veritee/snp/product.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

namespace veritee::snp {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}

}  // namespace

std::string_view to_string(Product product) {
  switch (product) {
    case Product::kMilan: return "milan";
    case Product::kGenoa: return "genoa";
    case Product::kTurin: return "turin";
  }
  return "unknown";
}

std::string_view kds_name(Product product) {
  switch (product) {
    case Product::kMilan: return "Milan";
    case Product::kGenoa: return "Genoa";
    case Product::kTurin: return "Turin";
  }
  return "unknown";
}

Result<Product> parse_product(std::string_view name) {
  std::string n = lower(name);
  if (n == "milan") return Product::kMilan;
  if (n == "genoa" || n == "bergamo" || n == "siena") return Product::kGenoa;
  if (n == "turin") return Product::kTurin;
  return fail(Errc::kUnknownProduct,
              "unknown product '" + std::string(name) + "' (known: milan, genoa, turin)");
}

// DESIGN.md 3.3; AMD CPUID family/model assignments for EPYC 7003 (Milan, family 19h models
// 00h-0Fh), 9004/8004 (Genoa 10h-1Fh, Bergamo/Siena A0h-AFh) and 9005 (Turin, family 1Ah).
Result<CpuidProduct> product_from_cpuid(Cpuid cpuid) {
  if (cpuid.family == 0x19) {
    if (cpuid.model <= 0x0F) return CpuidProduct{Product::kMilan, "Milan"};
    if (cpuid.model >= 0x10 && cpuid.model <= 0x1F) return CpuidProduct{Product::kGenoa, "Genoa"};
    if (cpuid.model >= 0xA0 && cpuid.model <= 0xAF) {
      return CpuidProduct{Product::kGenoa, "Bergamo/Siena"};
    }
  } else if (cpuid.family == 0x1A && cpuid.model <= 0x11) {
    return CpuidProduct{Product::kTurin, "Turin"};
  }
  return fail(Errc::kUnknownProduct, "unknown product: CPUID family " + hex2(cpuid.family) +
                                         " model " + hex2(cpuid.model) +
                                         " is not a known SEV-SNP product");
}

Result<Product> product_from_certificate_name(std::string_view name) {
  std::string n = lower(name);
  // productName is "<Product>" or "<Product>-<stepping>"; CA names end in "-<Product>".
  for (Product p : {Product::kMilan, Product::kGenoa, Product::kTurin}) {
    std::string key(to_string(p));
    if (n == key || n.starts_with(key + "-") || n.ends_with("-" + key)) return p;
  }
  for (std::string_view alias : {"bergamo", "siena"}) {
    std::string key(alias);
    if (n == key || n.starts_with(key + "-") || n.ends_with("-" + key)) return Product::kGenoa;
  }
  return fail(Errc::kUnknownProduct,
              "certificate names an unknown product '" + std::string(name) + "'");
}

std::string ca_common_name(Product product, bool vlek) {
  return std::string(vlek ? "SEV-VLEK-" : "SEV-") + std::string(kds_name(product));
}

}  // namespace veritee::snp
