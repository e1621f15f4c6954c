#include "service_readiness.hpp"

#include <nlohmann/json.hpp>

namespace veritee::cli {

std::unique_ptr<endorse::CrlKeeper> open_crl_keeper(EndorsementSources& sources,
                                                    const EndorsementFlags& flags,
                                                    std::function<void(const std::string&)> notify) {
  if (flags.no_crl) return nullptr;
  endorse::CrlKeeperOptions options;
  options.notify = std::move(notify);
  return std::make_unique<endorse::CrlKeeper>(snp::TrustStore::amd(), sources.cache(),
                                              sources.client(), std::move(options));
}

void set_readiness(rats::ServiceConfig& config, const endorse::CrlKeeper* keeper,
                   EndorsementSources& sources) {
  endorse::KdsClient* client = sources.client();
  const bool cache = sources.cache() != nullptr;
  config.ready = [keeper, client]() -> std::optional<std::string> {
    if (!keeper || keeper->all_current()) return std::nullopt;
    std::string missing;
    for (const auto& s : keeper->status()) {
      if (s.current) continue;
      missing += std::string(missing.empty() ? "" : ", ") + std::string(snp::kds_name(s.product)) + " " +
                 (s.line == endorse::Line::kVcek ? "VCEK" : "VLEK");
    }
    std::string why = "no current CRL held for " + missing;
    if (client && client->circuit_open()) {
      why += " (KDS " + client->base_url() + " is unavailable, circuit open; retried in the background)";
    } else if (!client) {
      why += " (offline: only the cache is read)";
    }
    return why;
  };
  config.readiness = [keeper, client, cache]() {
    nlohmann::json body;
    body["endorsements"] = client ? "online: CRLs are fetched from KDS in the background and held until their nextUpdate"
                           : cache ? "offline: CRLs are read from the cache only, never fetched"
                                   : "offline without a cache: no CRL can be held";
    if (client) {
      body["kds"] = {{"url", client->base_url()}, {"circuit", client->circuit_open() ? "open" : "closed"}};
    }
    if (!keeper) {
      body["crls"] = "not used (--no-crl)";
      return body;
    }
    nlohmann::json crls = nlohmann::json::array();
    for (const auto& s : keeper->status()) {
      nlohmann::json j{{"product", std::string(snp::to_string(s.product))},
                       {"line", std::string(endorse::to_string(s.line))},
                       {"current", s.current}};
      add_held_status(j, s, "KDS");
      crls.push_back(std::move(j));
    }
    body["crls"] = std::move(crls);
    return body;
  };
}

void add_held_status(nlohmann::json& entry, const endorse::HeldStatus& status, std::string_view fetched) {
  if (status.next_update) entry["next_update"] = veritee::format_time(*status.next_update);
  if (!status.source.empty()) {  // no server paths
    entry["from"] = status.source.starts_with(std::string(fetched) + " ") ? std::string(fetched) : "cache";
  }
  if (!status.current) entry["reason"] = status.problem;
  if (status.next_attempt) entry["next_attempt"] = veritee::format_time(*status.next_attempt);
}

std::string crl_metrics(const endorse::CrlKeeper* keeper) {
  if (!keeper) return {};
  std::string out =
      "# HELP veritee_crl_current 1 while a current CRL is held for the product and certificate line.\n"
      "# TYPE veritee_crl_current gauge\n";
  for (const auto& s : keeper->status()) {
    out += "veritee_crl_current{product=\"" + std::string(snp::to_string(s.product)) + "\",line=\"" +
           std::string(endorse::to_string(s.line)) + "\"} " + (s.current ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace veritee::cli
