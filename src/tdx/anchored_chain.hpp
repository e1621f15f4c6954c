// Internal to libveritee_tdx: an issuer chain (PEM, leaf first) anchored at the pinned root,
// shared by the verifier (verify.cpp) and the checks fetched collateral passes before it is
// stored (collateral_check.cpp).
#pragma once

#include <string_view>
#include <vector>

#include "veritee/common/error.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::tdx::detail {

// Each certificate signed by the next, the last equal to `root` (never trusted because it is in
// the chain), the root self-signed. Errc::kEndorsementInvalid says which link fails; `what`
// names the chain in messages.
Result<std::vector<x509::Certificate>> anchored_chain(std::string_view pem,
                                                      const x509::Certificate& root,
                                                      const char* what);

inline std::string cn(const x509::Certificate& c) { return "'" + c.subject_cn() + "'"; }

}  // namespace veritee::tdx::detail
