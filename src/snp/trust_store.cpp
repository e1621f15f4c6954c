#include "veritee/snp/trust_store.hpp"

#include <cstring>
#include <optional>

#include "x509/amd_roots.inc"

namespace veritee::snp {
namespace {

std::optional<x509::Certificate> parse_builtin(const char* pem) {
  auto certs = x509::Certificate::load_all(ByteView(reinterpret_cast<const std::uint8_t*>(pem),
                                              std::strlen(pem)));
  if (!certs || certs->size() != 1) return std::nullopt;
  return std::move(certs->front());
}

// A product line whose built-in certificates would not parse (a build defect, tested) is left
// unpinned, so verification of its reports fails naming the missing roots.
void pin_builtin(TrustStore& store, Product product, const char* ark, const char* ask,
                 const char* asvk) {
  auto a = parse_builtin(ark), k = parse_builtin(ask), v = parse_builtin(asvk);
  if (a && k && v) store.pin(product, {std::move(*a), std::move(*k), std::move(*v)});
}

TrustStore make_amd() {
  TrustStore store;
  using namespace x509::amd_roots;
  pin_builtin(store, Product::kMilan, kMilanArk, kMilanAsk, kMilanAsvk);
  pin_builtin(store, Product::kGenoa, kGenoaArk, kGenoaAsk, kGenoaAsvk);
  pin_builtin(store, Product::kTurin, kTurinArk, kTurinAsk, kTurinAsvk);
  return store;
}

}  // namespace

const TrustStore& TrustStore::amd() {
  static const TrustStore store = make_amd();
  return store;
}

void TrustStore::pin(snp::Product product, ProductRoots roots) {
  roots_.insert_or_assign(product, std::move(roots));
}

const ProductRoots* TrustStore::roots(snp::Product product) const {
  auto it = roots_.find(product);
  return it == roots_.end() ? nullptr : &it->second;
}

std::optional<snp::Product> TrustStore::product_of_ark(const x509::Certificate& ark) const {
  for (const auto& [product, roots] : roots_) {
    if (roots.ark == ark) return product;
  }
  return std::nullopt;
}

}  // namespace veritee::snp
