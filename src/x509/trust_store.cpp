#include "veritee/trust_store.hpp"

#include <cstring>
#include <stdexcept>

#include "x509/amd_roots.inc"

namespace veritee::x509 {
namespace {

Certificate parse_builtin(const char* pem) {
  auto certs = Certificate::load_all(ByteView(reinterpret_cast<const std::uint8_t*>(pem),
                                              std::strlen(pem)));
  // The built-in roots are constants of this library: failing to parse them is a build defect.
  if (!certs || certs->size() != 1) throw std::logic_error("built-in AMD root does not parse");
  return std::move(certs->front());
}

TrustStore make_amd() {
  TrustStore store;
  using namespace amd_roots;
  store.pin(snp::Product::kMilan, {parse_builtin(kMilanArk), parse_builtin(kMilanAsk),
                                   parse_builtin(kMilanAsvk)});
  store.pin(snp::Product::kGenoa, {parse_builtin(kGenoaArk), parse_builtin(kGenoaAsk),
                                   parse_builtin(kGenoaAsvk)});
  store.pin(snp::Product::kTurin, {parse_builtin(kTurinArk), parse_builtin(kTurinAsk),
                                   parse_builtin(kTurinAsvk)});
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

std::optional<snp::Product> TrustStore::product_of_ark(const Certificate& ark) const {
  for (const auto& [product, roots] : roots_) {
    if (roots.ark == ark) return product;
  }
  return std::nullopt;
}

}  // namespace veritee::x509
