// A memo of certificate signatures already verified ("subject is signed by issuer"), so that a
// verifier appraising many reports against the same chain checks each RSA-4096 link once.
// Entries hold references to the certificates they name, so a key (the X509 objects'
// identities) cannot be reused while it is remembered. Thread-safe; bounded.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <utility>

#include "veritee/x509/certificate.hpp"

namespace veritee {

class VerifiedLinks {
 public:
  explicit VerifiedLinks(std::size_t capacity = 4096) : capacity_(capacity) {}

  // subject.verify_signed_by(issuer), answered from the memo when it already succeeded.
  Result<void> verify(const x509::Certificate& subject, const x509::Certificate& issuer);

  std::size_t size() const;

 private:
  using Key = std::pair<const void*, const void*>;  // Certificate::identity()
  struct Entry {
    x509::Certificate subject;
    x509::Certificate issuer;
  };
  mutable std::mutex mutex_;
  std::map<Key, Entry> links_;
  std::size_t capacity_;
};

}  // namespace veritee
