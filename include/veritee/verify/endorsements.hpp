// The endorsements a report is verified against: the signer's certificate (VCEK or VLEK), the
// CA chain (ASK or ASVK, and ARK) and optionally a CRL. Where they come from (files, the
// guest's certificate table, a cache, AMD KDS) is the caller's business.
#pragma once

#include <optional>
#include <vector>

#include "veritee/x509/certificate.hpp"
#include "veritee/x509/crl.hpp"

namespace veritee {

struct Endorsements {
  std::optional<x509::Certificate> signer;  // VCEK or VLEK
  std::vector<x509::Certificate> chain;     // ASK/ASVK and/or ARK, any order; empty: pinned
  std::optional<x509::Crl> crl;
};

}  // namespace veritee
