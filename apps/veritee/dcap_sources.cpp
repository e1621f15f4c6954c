#include "dcap_sources.hpp"

#include <cstdlib>
#include <iostream>

#include "veritee/tdx/verify.hpp"

namespace veritee::cli {

Result<std::unique_ptr<DcapSources>> DcapSources::open(const EndorsementFlags& flags,
                                                       bool use_network) {
  auto base = EndorsementSources::open(flags, snp::TrustStore::amd(), true, false);
  if (!base) return std::unexpected(base.error());
  auto sources = std::make_unique<DcapSources>();
  sources->base_ = std::move(*base);
  const char* env = std::getenv("VERITEE_PCS_URL");
  std::string url = !flags.pcs_url.empty()    ? flags.pcs_url
                    : env && *env != '\0' ? std::string(env)
                                          : std::string(endorse::kDefaultPcsUrl);
  while (url.ends_with('/')) url.pop_back();
  sources->root_crl_url_ = endorse::pcs_root_ca_crl_url(url);
  if (use_network && !flags.offline) {
    sources->pcs_.emplace(client_options(
        flags, url, url == endorse::kDefaultPcsUrl ? "Intel PCS" : "PCS " + url));
  }
  return sources;
}

endorse::PcsFetcher DcapSources::fetcher(std::optional<veritee::TimePoint> at) {
  return endorse::PcsFetcher(tdx::intel_sgx_root_ca(), base_->bundle(), base_->cache(),
                             pcs_ ? &*pcs_ : nullptr, root_crl_url_, at);
}

void DcapSources::say_where_cached() {
  if (pcs_ && pcs_->requests_sent() > 0 && base_->cache()) {
    std::cerr << "veritee: endorsement cache: " << base_->cache()->dir().string() << '\n';
  }
}

void print_provenance(const std::vector<endorse::Provenance>& provenance) {
  for (const auto& p : provenance) std::cerr << "veritee: " << p.piece << " from " << p.source << '\n';
}

}  // namespace veritee::cli
