// The pinned AMD roots: ARK, ASK and ASVK for each product line, built into the library
// (fetched from AMD KDS `/vcek/v1/{product}/cert_chain` and `/vlek/v1/{product}/cert_chain`).
// A chain that ends in any other ARK is rejected unless a user pins it explicitly.
#pragma once

#include <map>
#include <optional>

#include "veritee/certificate.hpp"
#include "veritee/product.hpp"

namespace veritee::x509 {

struct ProductRoots {
  Certificate ark;
  Certificate ask;                  // signs VCEKs
  std::optional<Certificate> asvk;  // signs VLEKs
};

class TrustStore {
 public:
  // AMD's roots for Milan, Genoa and Turin, parsed once and shared.
  static const TrustStore& amd();

  TrustStore() = default;
  // Replaces or adds the roots of a product (tests, private PKIs).
  void pin(snp::Product product, ProductRoots roots);

  const ProductRoots* roots(snp::Product product) const;
  // The product whose pinned ARK is exactly this certificate.
  std::optional<snp::Product> product_of_ark(const Certificate& ark) const;

 private:
  std::map<snp::Product, ProductRoots> roots_;
};

}  // namespace veritee::x509
