// Which product line a report belongs to, decided once and passed down (DESIGN.md 3.3): the
// product chooses the TCB layout, the pinned AMD roots and the KDS URL, so every consumer (show,
// verify, endorse, the service) takes this decision instead of making its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"
#include "veritee/snp/product.hpp"
#include "veritee/snp/report.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::snp {

// Where a claim about the product comes from, in order of precedence.
enum class ProductSource { kCpuid, kUser, kCertificate };
// "cpuid", "--product", "certificate": the stable `product_source` values of docs/json.md.
std::string_view to_string(ProductSource source);

struct ProductClaim {
  Product product;
  ProductSource source;
};

struct ProductDecision {
  // The product of the first claim (CPUID, else the user's, else the certificate's); empty when
  // nothing names it. When the claims are disputed it is still the first claim's, for display
  // only: a verifier never decodes with it (see disputed).
  std::optional<Product> product;
  std::optional<ProductSource> source;
  std::vector<ProductClaim> claims;
  bool disputed = false;  // two claims name different products
  std::string problem;    // why the product is unknown or disputed; empty when decided

  bool decided() const { return product && !disputed; }
  // to_string(*source), or "" when nothing named the product.
  std::string_view source_name() const;
};

// CPUID for v3+ reports, the user's choice, and the signing certificate's claim: every claim
// present must agree; disagreement names both sides.
ProductDecision decide_product(const Report& report, std::optional<Product> user,
                               std::optional<Product> from_certificate);

// The product a VCEK/VLEK names: its productName extension, else its issuer's common name
// ("SEV-Milan", "SEV-VLEK-Genoa"); empty when neither names one, an error when productName is
// present but not a known product. `how` (optional) receives what named it, for messages.
Result<std::optional<Product>> product_of_signer(const x509::Certificate& signer,
                                                 const x509::AmdExtensions& extensions,
                                                 std::string* how = nullptr);

}  // namespace veritee::snp
