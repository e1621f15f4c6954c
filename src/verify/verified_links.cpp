#include "veritee/x509/verified_links.hpp"

namespace veritee {

Result<void> VerifiedLinks::verify(const x509::Certificate& subject,
                                   const x509::Certificate& issuer) {
  const Key key{subject.identity(), issuer.identity()};
  {
    std::lock_guard lock(mutex_);
    if (links_.contains(key)) return {};
  }
  auto ok = subject.verify_signed_by(issuer);
  if (!ok) return ok;  // failures are never remembered
  std::lock_guard lock(mutex_);
  if (links_.size() >= capacity_) links_.clear();
  links_.emplace(key, Entry{subject, issuer});
  return {};
}

std::size_t VerifiedLinks::size() const {
  std::lock_guard lock(mutex_);
  return links_.size();
}

}  // namespace veritee
