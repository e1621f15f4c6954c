// What `veritee serve` holds so that endorsements never block a request, and what GET /readyz
// says about it (docs/service.md, "Readiness and CRL refresh"): the CRLs of every product line
// KDS serves, held in memory and refreshed in the background (endorse/crl_keeper.hpp).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "endorsement_options.hpp"
#include "veritee/endorse/crl_keeper.hpp"
#include "veritee/rats/service.hpp"

namespace veritee::cli {

// The keeper of the service's CRLs, not yet started; null with --no-crl (no CRL is used, so
// none is kept). Online it fetches through the sources' KDS client, offline it re-reads the
// cache. `notify` receives its progress and failures. `sources` must outlive it.
std::unique_ptr<endorse::CrlKeeper> open_crl_keeper(EndorsementSources& sources,
                                                    const EndorsementFlags& flags,
                                                    std::function<void(const std::string&)> notify);

// ServiceConfig::ready and ::readiness: ready when every kept CRL is current (always, with no
// keeper); the body lists each product line's CRL, current or why not, without server paths.
void set_readiness(rats::ServiceConfig& config, const endorse::CrlKeeper* keeper,
                   EndorsementSources& sources);

// The members of a held piece in a /readyz entry: next_update, from (`fetched`, "KDS" or "PCS",
// or "cache": never a server path), reason when not current, next_attempt.
void add_held_status(nlohmann::json& entry, const endorse::HeldStatus& status, std::string_view fetched);

// Prometheus lines for /metrics: veritee_crl_current{product,line} 1 or 0 ("" without a keeper).
std::string crl_metrics(const endorse::CrlKeeper* keeper);

}  // namespace veritee::cli
