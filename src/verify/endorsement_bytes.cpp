#include "veritee/verify/endorsement_bytes.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace veritee {

Result<Endorsements> endorsements_from_bytes(ByteView signer, ByteView chain) {
  Endorsements e;
  if (!signer.empty()) {
    auto certs = x509::Certificate::load_all(signer);
    if (!certs) {
      return fail(Errc::kEndorsementInvalid, "signer certificate: " + certs.error().message);
    }
    std::vector<const x509::Certificate*> leaves;
    for (const auto& c : *certs) {
      const bool issued_other = std::any_of(certs->begin(), certs->end(), [&](const auto& o) {
        return !(o == c) && o.issuer_cn() == c.subject_cn();
      });
      if (!issued_other && !c.is_self_issued()) leaves.push_back(&c);
    }
    if (leaves.size() != 1) {
      return fail(Errc::kEndorsementInvalid,
                  "the signer certificate bytes hold " + std::to_string(certs->size()) +
                      " certificates and " + std::to_string(leaves.size()) +
                      " candidate signers; expected one VCEK or VLEK (optionally with its "
                      "ASK/ASVK and ARK)");
    }
    e.signer = *leaves.front();
    for (auto& c : *certs) {
      if (!(c == *e.signer)) e.chain.push_back(std::move(c));
    }
  }
  if (!chain.empty()) {
    auto certs = x509::Certificate::load_all(chain);
    if (!certs) return fail(Errc::kEndorsementInvalid, "certificate chain: " + certs.error().message);
    for (auto& c : *certs) e.chain.push_back(std::move(c));
  }
  return e;
}

}  // namespace veritee
