#include "service_sources.hpp"

#include "dcap_sources.hpp"
#include "service_collateral.hpp"

namespace veritee::cli {

Result<std::unique_ptr<EndorsementSources>> open_service_sources(const EndorsementFlags& flags) {
  EndorsementFlags service = flags;
  service.service = true;
  return EndorsementSources::open(service, snp::TrustStore::amd(), true, true);
}

Result<void> configure_appraiser(rats::AppraiserConfig& config, EndorsementSources& sources,
                                 const EndorsementFlags& flags, const std::string& at,
                                 const endorse::CrlKeeper* crls, const ServiceCollateral* collateral) {
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
  // DCAP quotes sent without collateral: the bundle, the verified cache, Intel PCS (--pcs-url;
  // not with --offline), with the service's client behaviour; staleness judged at the
  // verification time. Held by serve's keeper, when there is one.
  if (collateral) {
    config.collateral = [dcap = collateral->sources, keeper = collateral->keeper.get()](
                            const tdx::CollateralRequest& request, veritee::TimePoint when) {
      auto fetcher = dcap->fetcher(when);
      fetcher.hold(keeper);
      return fetcher.collateral(request);
    };
    return {};
  }
  EndorsementFlags service = flags;
  service.service = true;
  auto dcap = DcapSources::open(service, true);
  if (!dcap) return std::unexpected(dcap.error());
  config.collateral = [dcap = std::shared_ptr<DcapSources>(std::move(*dcap))](
                          const tdx::CollateralRequest& request, veritee::TimePoint when) {
    return dcap->fetcher(when).collateral(request);
  };
  return {};
}

}  // namespace veritee::cli
