// The pinned AMD roots: ARK, ASK and ASVK for each product line, built into the library
// (fetched from AMD KDS `/vcek/v1/{product}/cert_chain` and `/vlek/v1/{product}/cert_chain`).
// A chain that ends in any other ARK is rejected unless a user pins it explicitly.
#pragma once

#include <map>
#include <optional>

#include "veritee/x509/certificate.hpp"
#include "veritee/snp/product.hpp"

namespace veritee::snp {

struct ProductRoots {
  x509::Certificate ark;
  x509::Certificate ask;                  // signs VCEKs
  std::optional<x509::Certificate> asvk;  // signs VLEKs
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
  std::optional<snp::Product> product_of_ark(const x509::Certificate& ark) const;

 private:
  std::map<snp::Product, ProductRoots> roots_;
};

}  // namespace veritee::snp
