#include "service_sources.hpp"

namespace veritee::cli {

Result<std::unique_ptr<EndorsementSources>> open_service_sources(const EndorsementFlags& flags) {
  EndorsementFlags service = flags;
  service.service = true;
  return EndorsementSources::open(service, snp::TrustStore::amd(), true, true);
}

Result<void> configure_appraiser(rats::AppraiserConfig& config, EndorsementSources& sources,
                                 const EndorsementFlags& flags, const std::string& at,
                                 const endorse::CrlKeeper* crls) {
  if (!at.empty()) {
    auto t = veritee::parse_time(at);
    if (!t) return std::unexpected(t.error());
    config.verification_clock = [t = *t] { return t; };
  }
  config.crl = flags.no_crl      ? rats::CrlMode::kOff
               : sources.client() ? rats::CrlMode::kRequired
                                  : rats::CrlMode::kIfAvailable;
  EndorsementSources* src = &sources;
  config.endorsements = [src, crls](const snp::Report& report, const endorse::ResolveRequest& request) {
    auto resolver = src->resolver();
    resolver.hold_crls(crls);
    return resolver.resolve(report, request);
  };
  return {};
}

}  // namespace veritee::cli
