#include "service_collateral.hpp"

#include <nlohmann/json.hpp>

#include "service_readiness.hpp"
#include "veritee/tdx/verify.hpp"

namespace veritee::cli {
namespace {

std::string label(endorse::PcsPiece piece) {
  switch (piece) {
    case endorse::PcsPiece::kTcbInfo: return "tcb_info";
    case endorse::PcsPiece::kQeIdentity: return "qe_identity";
    case endorse::PcsPiece::kPckCrl: return "pck_crl";
    case endorse::PcsPiece::kRootCaCrl: return "root_ca_crl";
  }
  return "other";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The labels of one piece: piece, tee, ca, fmspc (empty when the piece does not depend on it).
struct PieceLabels {
  std::string piece, tee, ca, fmspc;
};
PieceLabels labels_of(const endorse::CollateralStatus& s) {
  return {label(s.piece), s.tee ? lower(tdx::to_string(*s.tee)) : std::string(),
          s.ca ? std::string(tdx::to_string(*s.ca)) : std::string(), s.fmspc};
}

}  // namespace

Result<ServiceCollateral> open_service_collateral(const EndorsementFlags& flags, const std::string& at,
                                                  std::function<void(const std::string&)> notify) {
  ServiceCollateral out;
  out.metrics = std::make_shared<rats::KdsMetrics>("veritee_pcs", "Intel PCS");
  EndorsementFlags service = flags;
  service.service = true;
  service.kds_observer = [m = out.metrics](const endorse::KdsEvent& e) { m->observe(e); };
  auto dcap = DcapSources::open(service, true);
  if (!dcap) return std::unexpected(dcap.error());
  out.sources = std::shared_ptr<DcapSources>(std::move(*dcap));
  if (!out.sources->client()) return out;
  endorse::CollateralKeeperOptions options;
  options.notify = std::move(notify);
  if (!at.empty()) {
    auto t = veritee::parse_time(at);
    if (!t) return std::unexpected(t.error());
    options.valid_at = [t = *t] { return t; };
  }
  out.keeper = std::make_unique<endorse::CollateralKeeper>(tdx::intel_sgx_root_ca(), out.sources->cache(),
                                                           out.sources->client(),
                                                           out.sources->root_ca_crl_url(), std::move(options));
  return out;
}

void add_collateral_readiness(rats::ServiceConfig& config, const ServiceCollateral& collateral) {
  const endorse::CollateralKeeper* keeper = collateral.keeper.get();
  endorse::KdsClient* client = collateral.sources ? collateral.sources->client() : nullptr;
  config.ready = [previous = config.ready, keeper, client]() -> std::optional<std::string> {
    auto why = previous ? previous() : std::nullopt;
    if (!keeper || keeper->globals_current()) return why;
    std::string missing;
    for (const auto& s : keeper->status()) {
      if (s.global && !s.current) missing += (missing.empty() ? "" : ", ") + s.what;
    }
    std::string pcs = "no current Intel PCS collateral held for " + missing +
                      (client && client->circuit_open()
                           ? " (PCS " + client->base_url() + " is unavailable, circuit open; retried in the background)"
                           : " (fetched in the background)");
    return why ? *why + "; " + pcs : pcs;
  };
  config.readiness = [previous = config.readiness, keeper, client]() {
    nlohmann::json body = previous ? previous() : nlohmann::json::object();
    if (!keeper) {
      body["pcs"] = "offline: DCAP collateral is read from the bundle and the cache, never fetched";
      return body;
    }
    nlohmann::json pcs{{"url", client->base_url()},
                       {"circuit", client->circuit_open() ? "open" : "closed"},
                       {"ready", keeper->globals_current()}};
    nlohmann::json pieces = nlohmann::json::array();
    for (const auto& s : keeper->status()) {
      const PieceLabels l = labels_of(s);
      nlohmann::json j{{"piece", l.piece}, {"current", s.current}};
      if (!l.tee.empty()) j["tee"] = l.tee;
      if (!l.ca.empty()) j["ca"] = l.ca;
      if (!l.fmspc.empty()) j["fmspc"] = l.fmspc;
      add_held_status(j, s, "PCS");
      pieces.push_back(std::move(j));
    }
    pcs["collateral"] = std::move(pieces);
    body["pcs"] = std::move(pcs);
    return body;
  };
}

std::string collateral_metrics(const ServiceCollateral& collateral) {
  const endorse::CollateralKeeper* keeper = collateral.keeper.get();
  endorse::KdsClient* client = collateral.sources ? collateral.sources->client() : nullptr;
  if (!keeper || !client) return {};
  std::string out = collateral.metrics->render(*client) +
      "# HELP veritee_dcap_collateral_current 1 while a current piece of DCAP collateral is held.\n"
      "# TYPE veritee_dcap_collateral_current gauge\n";
  for (const auto& s : keeper->status()) {
    const PieceLabels l = labels_of(s);
    out += "veritee_dcap_collateral_current{piece=\"" + l.piece + "\",tee=\"" + l.tee + "\",ca=\"" + l.ca +
           "\",fmspc=\"" + l.fmspc + "\"} " + (s.current ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace veritee::cli
