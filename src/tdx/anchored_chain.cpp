#include "tdx/anchored_chain.hpp"

namespace veritee::tdx::detail {

Result<std::vector<x509::Certificate>> anchored_chain(std::string_view pem,
                                                      const x509::Certificate& root,
                                                      const char* what) {
  auto certs = x509::Certificate::load_all(as_bytes(pem));
  if (!certs || certs->empty()) {
    return fail(Errc::kEndorsementInvalid,
                std::string(what) + " holds no readable certificate" +
                    (certs ? std::string() : ": " + certs.error().message));
  }
  const x509::Certificate& last = certs->back();
  if (!(last == root)) {
    return fail(Errc::kEndorsementInvalid,
                std::string(what) + " ends at " + cn(last) + " (sha256 " +
                    last.sha256_hex().substr(0, 16) + "…), not the pinned " + cn(root) +
                    " (sha256 " + root.sha256_hex().substr(0, 16) + "…)");
  }
  for (std::size_t i = 0; i + 1 < certs->size(); ++i) {
    if (auto ok = (*certs)[i].verify_signed_by((*certs)[i + 1]); !ok) {
      return fail(Errc::kEndorsementInvalid, std::string(what) + ": " + cn((*certs)[i]) +
                                                 " is not signed by " + cn((*certs)[i + 1]) +
                                                 ": " + ok.error().message);
    }
  }
  if (auto self = root.verify_signed_by(root); !self) {
    return fail(Errc::kEndorsementInvalid, "the root " + cn(root) + " is not self-signed");
  }
  return certs;
}

}  // namespace veritee::tdx::detail
