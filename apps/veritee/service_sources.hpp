// What `serve` and `inspect` share: the endorsement sources of a long-running service and the
// appraiser settings that follow from them and from --at.
#pragma once

#include <memory>
#include <string>

#include "endorsement_options.hpp"
#include "veritee/rats/appraiser.hpp"

namespace veritee::cli {

struct ServiceCollateral;  // service_collateral.hpp

// The sources the flags name, opened for a service: KDS never holds up a request (one attempt,
// a circuit breaker, no waiting in the rate limit, short cache-lock waits:
// EndorsementFlags::service).
Result<std::unique_ptr<EndorsementSources>> open_service_sources(const EndorsementFlags& flags);

// The appraiser's CRL mode (--no-crl; required when online), its certificate clock (--at, RFC
// 3339; the system clock when empty), its endorsement source and its DCAP collateral source
// (the same flags: bundle, cache, Intel PCS). `sources` must outlive `config`. With `crls`
// (serve: service_readiness.hpp) CRLs are the ones it holds, never fetched at request time; it
// must outlive `config` too. With `collateral` (serve) DCAP collateral comes from its sources and
// the pieces its keeper holds, never fetched at request time.
Result<void> configure_appraiser(rats::AppraiserConfig& config, EndorsementSources& sources,
                                 const EndorsementFlags& flags, const std::string& at,
                                 const endorse::CrlKeeper* crls = nullptr,
                                 const ServiceCollateral* collateral = nullptr);

}  // namespace veritee::cli
