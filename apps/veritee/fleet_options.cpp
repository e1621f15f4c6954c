#include "fleet_options.hpp"

#include <pthread.h>

#include <cstdlib>
#include <optional>

namespace veritee::cli {

void add_fleet_flags(CLI::App& cmd, FleetFlags& f) {
  cmd.add_option("--redis", f.redis,
                 "share nonces with other replicas through Redis at this URL "
                 "(redis://[:password@]host[:port][/db]); default $VERITEE_REDIS_URL");
  cmd.add_option("--nonce-key", f.nonce_key,
                 "the nonce MAC key (32 to 1024 bytes, the same file on every replica); with "
                 "--redis and without it the key is generated once and kept in Redis");
}

Result<std::vector<rats::SigningKey>> load_signing_keys(const std::vector<std::string>& files) {
  std::vector<rats::SigningKey> keys;
  for (const auto& file : files) {
    auto key = rats::SigningKey::load_file(file);
    if (!key) return fail(key.error().code, "--key " + file + ": " + key.error().message);
    keys.push_back(std::move(*key));
  }
  return keys;
}

std::string Fleet::describe() const { return client ? "redis " + client->endpoint().text() : "local"; }

namespace {
std::string metric(const char* name, const char* type, const char* help, std::uint64_t value) {
  return std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(value) + "\n";
}
}  // namespace

std::string Fleet::metrics() const {
  std::string out;
  if (local) {
    out += metric("veritee_nonce_replay_full_total", "counter",
                  "Nonces refused because the replay set was full.", local->replay_full_refusals());
    out += metric("veritee_nonce_replay_size", "gauge", "Redeemed nonces held until they expire.",
                  local->replay_size());
  }
  if (shared) {
    out += metric("veritee_nonce_store_unavailable_total", "counter",
                  "Nonce requests (challenge or attest) refused because Redis could not be reached.", shared->unavailable_refusals());
    out += metric("veritee_redis_up", "gauge", "1 while the last Redis command reached Redis.",
                  client->available() ? 1 : 0);
  }
  return out;
}

Result<Fleet> open_fleet(const FleetFlags& flags, std::chrono::seconds ttl, std::size_t capacity,
                         std::chrono::milliseconds kds_interval) {
  Fleet fleet;
  std::optional<Bytes> key;
  if (!flags.nonce_key.empty()) {
    auto k = rats::load_nonce_key(flags.nonce_key);
    if (!k) return fail(Errc::kInvalidInput, "--nonce-key: " + k.error().message);
    key = std::move(*k);
  }
  std::string url = flags.redis;
  if (url.empty()) {
    if (const char* env = std::getenv("VERITEE_REDIS_URL"); env && *env) url = env;
  }
  if (url.empty()) {
    fleet.local = std::make_shared<rats::HmacNonces>(key ? *key : rats::random_bytes(32), ttl, capacity);
    fleet.nonces = fleet.local;
    return fleet;
  }
  auto endpoint = redis::parse_url(url);
  if (!endpoint) return fail(Errc::kInvalidInput, "--redis: " + endpoint.error().message);
  fleet.client = std::make_shared<redis::Client>(*endpoint);
  const bool in_redis = !key;
  if (!key) {
    auto k = rats::shared_nonce_key(*fleet.client, "veritee:");
    if (!k) {
      return fail(k.error().code == Errc::kNetwork ? Errc::kNetwork : Errc::kInvalidInput,
                  "the shared nonce key: " + k.error().message + " (or give every replica --nonce-key FILE)");
    }
    key = std::move(*k);
  }
  fleet.shared = std::make_shared<rats::RedisNonces>(fleet.client, *key, ttl, "veritee:", in_redis);
  // Unreachable now is not fatal with --nonce-key: nonces are refused (503) until Redis answers.
  (void)fleet.shared->establish(std::chrono::system_clock::now());
  fleet.nonces = fleet.shared;
  fleet.tier = std::make_shared<endorse::RedisTier>(fleet.client);
  if (kds_interval.count() > 0) fleet.budget = std::make_shared<endorse::FleetBudget>(fleet.client, kds_interval);
  return fleet;
}

ReloadOnHup::ReloadOnHup(std::function<void()> reload) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGHUP);
  // SIGTERM and SIGINT too: they belong to the thread that stops the service, never to this one.
  sigset_t all = set_;
  sigaddset(&all, SIGTERM);
  sigaddset(&all, SIGINT);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  thread_ = std::thread([this, reload = std::move(reload)] {
    for (;;) {
      int sig = 0;
      sigwait(&set_, &sig);
      if (done_) return;
      reload();
    }
  });
}

ReloadOnHup::~ReloadOnHup() {
  done_ = true;
  pthread_kill(thread_.native_handle(), SIGHUP);
  thread_.join();
}

}  // namespace veritee::cli
