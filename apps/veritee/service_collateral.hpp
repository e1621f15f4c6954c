// What `veritee serve` holds of Intel PCS collateral so that a DCAP quote never waits for PCS,
// and what GET /readyz and /metrics say about it (docs/service.md, "Intel PCS collateral (DCAP
// quotes)"): the DCAP sources of the flags (bundle, cache, PCS) and, online, the keeper of the pieces
// quotes ask for (endorse/collateral_keeper.hpp).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dcap_sources.hpp"
#include "endorsement_options.hpp"
#include "veritee/endorse/collateral_keeper.hpp"
#include "veritee/rats/kds_metrics.hpp"
#include "veritee/rats/service.hpp"

namespace veritee::cli {

struct ServiceCollateral {
  std::shared_ptr<DcapSources> sources;
  std::unique_ptr<endorse::CollateralKeeper> keeper;  // null offline (the cache is read per request)
  std::shared_ptr<rats::KdsMetrics> metrics;          // of the PCS client: veritee_pcs_responses_total, ...
};

// The sources with the service's client behaviour and, when online, the keeper (not started),
// judging pieces current at `at` (RFC 3339; now when empty). `notify` receives its progress.
Result<ServiceCollateral> open_service_collateral(const EndorsementFlags& flags, const std::string& at,
                                                  std::function<void(const std::string&)> notify);

// Adds the PCS collateral to ServiceConfig::ready and ::readiness (set_readiness first): not
// ready while a global piece the keeper holds (QE Identity, PCK CRL, root CA CRL) is not
// current; the body's "pcs" lists every piece kept, without server paths.
void add_collateral_readiness(rats::ServiceConfig& config, const ServiceCollateral& collateral);

// Prometheus lines for /metrics: veritee_pcs_* (requests, responses by outcome, latency, circuit)
// and veritee_dcap_collateral_current ("" offline).
std::string collateral_metrics(const ServiceCollateral& collateral);

}  // namespace veritee::cli
