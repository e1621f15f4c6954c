// veritee serve --listen ADDR:PORT --policy FILE [--key FILE | --state-dir DIR] [--threads N]
//               [--offline] [--kds-url U] [--cache-dir D] [--endorsements DIR] [--no-crl] ...
// Endorsement flags and sources are those of `veritee verify` (endorsement_options.hpp).
// The verifier service (docs/service.md): flags in, VerifierService out; SIGTERM/SIGINT stop it
// gracefully (in-flight requests finish).
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "endorsement_options.hpp"
#include "fleet_options.hpp"
#include "service_collateral.hpp"
#include "service_readiness.hpp"
#include "service_sources.hpp"
#include "veritee/rats/jwk.hpp"
#include "veritee/rats/kds_metrics.hpp"
#include "veritee/rats/service.hpp"

namespace veritee::cli {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string policy;
  std::vector<std::string> key;  // --key, repeatable: the first signs, all are published
  std::string state_dir;
  std::string alg = "ES256";
  std::size_t threads = 8;
  std::string issuer = "veritee";
  long nonce_ttl = 120;
  long result_lifetime = 3600;
  double read_timeout = 5.0;
  double request_deadline = 30.0;
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 0;
  double client_rate = 0;
  double client_burst = 0;
  std::string tls_cert;
  std::string tls_key;
  std::string at;
  EndorsementFlags sources;  // --offline, --kds-url, --cache-dir, --endorsements, --no-crl, ...
  FleetFlags fleet;          // --redis, --nonce-key (fleet_options.hpp)
};

// One JSON object a line on stderr, like the request log: time, level, event, message.
void log_line(const char* level, const char* event, const std::string& message,
              const std::vector<std::pair<std::string, std::string>>& fields) {
  nlohmann::json j{{"time", veritee::format_time(std::chrono::system_clock::now())},
                   {"level", level},
                   {"event", event},
                   {"message", message}};
  for (const auto& [k, v] : fields) {
    if (!v.empty()) j[k] = v;
  }
  std::cerr << j.dump() << std::endl;
}

Result<std::string> default_state_dir() {
  if (const char* s = std::getenv("XDG_STATE_HOME"); s && *s) return std::string(s) + "/veritee";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/state/veritee";
  return fail(Errc::kInvalidInput, "no --key or --state-dir, and neither XDG_STATE_HOME nor HOME is set");
}

// Blocks SIGTERM and SIGINT in every thread; one thread waits for them and stops the service.
class SignalStop {
 public:
  explicit SignalStop(rats::VerifierService& service) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this, &service] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (!done_) {
        log_line("info", "signal",
                 std::string(sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", finishing in-flight requests", {});
      }
      service.stop();
    });
  }
  ~SignalStop() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);  // wake the waiter if no signal came
    thread_.join();
  }

 private:
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Values that parse but make no sense are refused before anything starts.
Result<void> check_values(const ServeFlags& f) {
  if (f.threads < 1 || f.threads > 1024) return fail(Errc::kInvalidInput, "--threads must be 1 to 1024");
  if (f.nonce_ttl < 1 || f.nonce_ttl > 86400) return fail(Errc::kInvalidInput, "--nonce-ttl must be 1 to 86400 seconds");
  if (f.result_lifetime < 1 || f.result_lifetime > 31'536'000) {
    return fail(Errc::kInvalidInput, "--result-lifetime must be 1 to 31536000 seconds");
  }
  if (!(f.read_timeout > 0 && f.read_timeout <= 300)) {
    return fail(Errc::kInvalidInput, "--read-timeout must be above 0 and at most 300 seconds");
  }
  if (!(f.request_deadline > 0 && f.request_deadline <= 600)) {
    return fail(Errc::kInvalidInput, "--request-deadline must be above 0 and at most 600 seconds");
  }
  if (f.max_connections < 1 || f.max_connections > 100'000) {
    return fail(Errc::kInvalidInput, "--max-connections must be 1 to 100000");
  }
  if (f.max_connections_per_ip > f.max_connections) {
    return fail(Errc::kInvalidInput, "--max-connections-per-ip must be 0 (no cap) to --max-connections");
  }
  if (!(f.client_rate >= 0 && f.client_rate <= 1e6)) return fail(Errc::kInvalidInput, "--client-rate must be 0 (off) to 1000000");
  if (!(f.client_burst >= 0 && f.client_burst <= 1e6)) return fail(Errc::kInvalidInput, "--client-burst must be 0 to 1000000");
  if (f.client_burst > 0 && f.client_rate == 0) return fail(Errc::kInvalidInput, "--client-burst needs --client-rate");
  if (f.tls_cert.empty() != f.tls_key.empty()) return fail(Errc::kInvalidInput, "--tls-cert and --tls-key go together");
  return {};
}

// Every connection is a descriptor: raise the soft limit to the hard one, and refuse a
// connection cap the process could not hold (64 spare for the listener, caches and logs).
Result<void> fit_descriptor_limit(std::size_t max_connections) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return {};
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
    ::getrlimit(RLIMIT_NOFILE, &r);
  }
  if (r.rlim_cur != RLIM_INFINITY && max_connections + 64 > r.rlim_cur) {
    return fail(Errc::kInvalidInput, "--max-connections " + std::to_string(max_connections) +
                                         " needs " + std::to_string(max_connections + 64) +
                                         " file descriptors; the limit (RLIMIT_NOFILE) is " +
                                         std::to_string(r.rlim_cur));
  }
  return {};
}

// A PEM file for the TLS server (at most 1 MiB, a regular file); the key is held to the rule of
// every private key (read_private_file: not readable by group or others).
Result<std::string> read_pem(const std::string& path, const char* flag, bool private_key) {
  auto bytes = private_key ? veritee::read_private_file(path, 1 << 20) : veritee::read_file(path, 1 << 20);
  if (!bytes) return fail(bytes.error().code, std::string(flag) + ": " + bytes.error().message);
  return std::string(bytes->begin(), bytes->end());
}

int run_serve(const ServeFlags& f) {
  if (auto ok = check_values(f); !ok) return print_error(ok.error()), kExitUsage;
  if (auto ok = fit_descriptor_limit(f.max_connections); !ok) return print_error(ok.error()), kExitUsage;
  std::string tls_cert, tls_key;
  if (!f.tls_cert.empty()) {
    auto cert = read_pem(f.tls_cert, "--tls-cert", false);
    if (!cert) return print_error(cert.error()), kExitUsage;
    auto key_pem = read_pem(f.tls_key, "--tls-key", true);
    if (!key_pem) return print_error(key_pem.error()), kExitUsage;
    tls_cert = std::move(*cert);
    tls_key = std::move(*key_pem);
  }
  auto listen = parse_listen(f.listen);
  if (!listen) return print_error(listen.error()), kExitUsage;
  auto policy = rats::load_policy_file(f.policy);
  if (!policy) return print_error(policy.error()), kExitUsage;
  auto alg = rats::parse_jws_alg(f.alg);
  if (!alg) return print_error(alg.error()), kExitUsage;
  Result<rats::SigningKey> key = fail(Errc::kInvalidInput, "");
  std::vector<rats::SigningKey> published;
  if (!f.key.empty()) {
    auto keys = load_signing_keys(f.key);
    if (!keys) return print_error(keys.error()), kExitUsage;
    key = keys->front();
    published.assign(keys->begin() + 1, keys->end());
  } else {
    auto dir = f.state_dir.empty() ? default_state_dir() : Result<std::string>(f.state_dir);
    if (!dir) return print_error(dir.error()), kExitUsage;
    key = rats::SigningKey::load_or_create(*dir, *alg);
  }
  if (!key) return print_error(key.error()), kExitUsage;
  // The sources outlive the service (declared first, destroyed last).
  // Fleet mode (--redis): nonces, the endorsement tier and the KDS budget shared in Redis.
  auto fleet = open_fleet(f.fleet, std::chrono::seconds(f.nonce_ttl), rats::ServiceConfig{}.replay_capacity,
                          std::chrono::milliseconds(static_cast<long>(f.sources.rate_limit * 1000)));
  if (!fleet) return print_error(fleet.error()), fleet.error().code == Errc::kNetwork ? kExitUnavailable : kExitUsage;
  // A service never lets KDS hold up requests (open_service_sources); its KDS events also
  // feed the service's metrics.
  auto kds_metrics = std::make_shared<rats::KdsMetrics>();
  EndorsementFlags service_flags = f.sources;
  service_flags.kds_observer = [kds_metrics](const endorse::KdsEvent& e) { kds_metrics->observe(e); };
  service_flags.shared_tier = fleet->tier;
  if (fleet->budget) {
    service_flags.shared_budget = [b = fleet->budget](const std::string& host) { return b->reserve(host); };
  }
  auto sources = open_service_sources(service_flags);
  if (!sources) return print_error(sources.error()), kExitUsage;
  EndorsementSources* src = sources->get();

  rats::ServiceConfig config;
  config.host = listen->first;
  config.port = listen->second;
  config.key = *key;
  config.published = published;
  config.nonces = fleet->nonces;
  config.identity.issuer = f.issuer;
  config.identity.lifetime = std::chrono::seconds(f.result_lifetime);
  config.nonce_ttl = std::chrono::seconds(f.nonce_ttl);
  config.threads = f.threads;
  config.read_timeout = std::chrono::milliseconds(static_cast<long>(f.read_timeout * 1000));
  config.request_deadline = std::chrono::milliseconds(static_cast<long>(f.request_deadline * 1000));
  config.max_connections = f.max_connections;
  config.max_connections_per_ip = f.max_connections_per_ip;
  config.client_rate = f.client_rate;
  config.client_burst = f.client_burst;
  config.tls_cert_pem = std::move(tls_cert);
  config.tls_key_pem = std::move(tls_key);
  config.appraiser.policy = *policy;
  config.exit_code_of = exit_code_with_policy;
  // CRLs held and refreshed in the background: never fetched at request time (readiness).
  auto crls = open_crl_keeper(*src, f.sources, [](const std::string& m) {
    log_line(m.starts_with("could not") ? "warn" : "info", "crl", m, {});
  });
  // Intel PCS collateral likewise (online): held, refreshed in the background.
  auto dcap = open_service_collateral(f.sources, f.at, [](const std::string& m) {
    log_line(m.starts_with("could not") ? "warn" : "info", "pcs", m, {});
  });
  if (!dcap) return print_error(dcap.error()), kExitUsage;
  if (auto ok = configure_appraiser(config.appraiser, *src, f.sources, f.at, crls.get(), &*dcap); !ok) {
    return print_error(ok.error()), kExitUsage;
  }
  config.extra_metrics = [src, kds_metrics, fl = &*fleet, held = crls.get(), pcs = &*dcap] {
    if (!src->client()) return crl_metrics(held) + fl->metrics() + collateral_metrics(*pcs);
    return kds_metrics->render(*src->client()) + crl_metrics(held) + fl->metrics() + collateral_metrics(*pcs);
  };
  set_readiness(config, crls.get(), *src);
  add_collateral_readiness(config, *dcap);

  const std::string kid = rats::jwk_thumbprint(*key);
  auto created = rats::VerifierService::create(std::move(config));
  if (!created) {
    print_error(created.error());
    return kExitUsage;
  }
  rats::VerifierService& service = **created;
  // Before bind(): the server's threads start there and must inherit the blocked signals.
  // Every signal is blocked before any thread starts (the reloader's, the stopper's, then the
  // server's), so each is taken by its own waiting thread and never kills the process.
  // SIGHUP: the key files and the policy again; a file that fails keeps what was loaded.
  ReloadOnHup reloader([&] {
    auto p = rats::load_policy_file(f.policy);
    auto keys = f.key.empty() ? Result<std::vector<rats::SigningKey>>(std::vector{*key}) : load_signing_keys(f.key);
    if (!p || !keys) {
      return log_line("error", "reload", "reload refused, still serving the previous keys and policy: " +
                                             (!p ? p.error().message : keys.error().message), {});
    }
    const std::string signing = rats::jwk_thumbprint(keys->front());
    service.reload(keys->front(), {keys->begin() + 1, keys->end()}, *p);
    log_line("info", "reload", "keys and policy reloaded", {{"policy", p->id}, {"kid", signing}});
  });
  SignalStop stopper(service);
  if (auto ok = service.bind(); !ok) {
    print_error(ok.error());
    return ok.error().code == Errc::kInvalidInput ? kExitUsage : kExitUnavailable;  // a bad TLS key: usage
  }
  // Start and stop lines in the request log's JSON form (one object a line on stderr).
  log_line("info", "start",
           "listening on " + listen->first + ":" + std::to_string(service.port()) +
               (f.tls_cert.empty() ? "" : " (HTTPS)"),
           {{"policy", policy->id},
            {"alg", std::string(rats::to_string(key->alg()))},
            {"kid", kid},
            {"endorsements", src->client() ? "KDS " + src->client()->base_url() : "offline"},
            {"cache", src->cache() ? src->cache()->dir().string() : ""},
            {"bundle", f.sources.bundle_dir},
            {"nonces", fleet->describe()}});
  if (crls) {
    crls->load();   // what the cache holds, before the first request
    crls->start();  // then the missing and due ones, in the background
  }
  if (dcap->keeper) {
    dcap->keeper->load();
    dcap->keeper->start();
  }
  service.run();
  if (dcap->keeper) dcap->keeper->stop();
  if (crls) crls->stop();
  log_line("info", "stop", "stopped", {});
  return kExitVerified;
}

const Registration kServe{
    {"serve", "Run the verifier service: nonces, evidence appraisal, signed EAR results", 60,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<ServeFlags>();
       cmd.add_option("--listen", f->listen, "ADDR:PORT to listen on (port 0: any free port)")
           ->capture_default_str();
       cmd.add_option("--policy", f->policy, "appraisal policy (TOML, docs/policy.md)")->required();
       cmd.add_option("--key", f->key,
                      "EAR signing key: PEM EC private key on P-256 or P-384; repeat for rotation (the "
                      "first signs, all are published in the JWKS; SIGHUP reloads them)");
       add_fleet_flags(cmd, f->fleet);
       cmd.add_option("--state-dir", f->state_dir,
                      "where a generated signing key is kept (signing-key.pem, 0600); default "
                      "$XDG_STATE_HOME/veritee");
       cmd.add_option("--alg", f->alg, "ES256 or ES384, for a generated key")->capture_default_str();
       cmd.add_option("--threads", f->threads, "worker threads")->capture_default_str();
       cmd.add_option("--issuer", f->issuer, "the EAR's \"iss\"")->capture_default_str();
       cmd.add_option("--nonce-ttl", f->nonce_ttl, "seconds a nonce stays valid")->capture_default_str();
       cmd.add_option("--result-lifetime", f->result_lifetime, "seconds until an EAR's \"exp\"")
           ->capture_default_str();
       cmd.add_option("--read-timeout", f->read_timeout, "seconds a client may stall while sending")
           ->capture_default_str();
       cmd.add_option("--request-deadline", f->request_deadline,
                      "seconds a client has to send a whole request, however it trickles")
           ->capture_default_str();
       cmd.add_option("--max-connections", f->max_connections, "open client connections at most")
           ->capture_default_str();
       cmd.add_option("--max-connections-per-ip", f->max_connections_per_ip,
                      "open connections per client address at most (0: no cap)")
           ->capture_default_str();
       cmd.add_option("--client-rate", f->client_rate,
                      "requests a second per client address (0: no limit); over it: 429 with Retry-After")
           ->capture_default_str();
       cmd.add_option("--client-burst", f->client_burst,
                      "requests at once per client address (default: the rate, at least 1)");
       cmd.add_option("--tls-cert", f->tls_cert, "serve HTTPS (TLS 1.2 and 1.3) with this PEM certificate chain");
       cmd.add_option("--tls-key", f->tls_key, "the PEM private key of --tls-cert");
       cmd.add_option("--at", f->at, "verify certificates as of this time (RFC 3339) instead of now");
       add_endorsement_flags(cmd, f->sources, kNetworkFlags | kCrlFlag | kBundleFlag);
       cmd.footer(
           "Endpoints: POST /v1/challenge, POST /v1/attest, GET /.well-known/jwks.json, "
           "GET /healthz, GET /readyz, GET /metrics (docs/service.md).\n"
           "Exit codes: 0 stopped by SIGTERM/SIGINT; 2 usage error or bad policy/key; 4 cannot "
           "listen.");
       return [f] { return run_serve(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
