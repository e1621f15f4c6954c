// The Redis client over hiredis 0.14 (synchronous API, one context per pool slot). hiredis is
// loaded on the first connection (veritee/common/shared_library.hpp), so a command that never
// talks to Redis never maps it (docs/performance.md, "CLI footprint").
#include "veritee/redis/client.hpp"

#include <sys/time.h>

#include <algorithm>
#include <charconv>

#include <hiredis/hiredis.h>

#include "veritee/common/shared_library.hpp"

namespace veritee::redis {
namespace {

// The hiredis functions this file calls, resolved from libhiredis.so.0.14 once per process.
struct HiredisApi {
  decltype(&::redisConnectWithTimeout) connect_with_timeout = nullptr;
  decltype(&::redisSetTimeout) set_timeout = nullptr;
  decltype(&::redisEnableKeepAlive) enable_keep_alive = nullptr;
  decltype(&::redisCommandArgv) command_argv = nullptr;
  decltype(&::freeReplyObject) free_reply_object = nullptr;
  decltype(&::redisFree) free = nullptr;
};

Result<HiredisApi> load_hiredis() {
  auto lib = SharedLibrary::load("libhiredis.so.0.14");
  if (!lib) return std::unexpected(lib.error());
  HiredisApi api;
  for (const Result<void>& ok : {lib->bind(api.connect_with_timeout, "redisConnectWithTimeout"),
                                 lib->bind(api.set_timeout, "redisSetTimeout"),
                                 lib->bind(api.enable_keep_alive, "redisEnableKeepAlive"),
                                 lib->bind(api.command_argv, "redisCommandArgv"),
                                 lib->bind(api.free_reply_object, "freeReplyObject"),
                                 lib->bind(api.free, "redisFree")}) {
    if (!ok) return std::unexpected(ok.error());
  }
  return api;
}

const Result<HiredisApi>& hiredis() {
  static const Result<HiredisApi> api = load_hiredis();
  return api;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Reply copy_reply(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STRING: out.kind = Reply::Kind::kString; out.str.assign(r.str, r.len); break;
    case REDIS_REPLY_STATUS: out.kind = Reply::Kind::kStatus; out.str.assign(r.str, r.len); break;
    case REDIS_REPLY_INTEGER: out.kind = Reply::Kind::kInteger; out.integer = r.integer; break;
    case REDIS_REPLY_ARRAY:
      out.kind = Reply::Kind::kArray;
      for (std::size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_reply(*r.element[i]));
      break;
    default: out.kind = Reply::Kind::kNil; break;
  }
  return out;
}

Result<int> parse_int(std::string_view text, int lo, int hi, std::string_view what) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    return fail(Errc::kInvalidInput, "the Redis URL has a bad " + std::string(what) + " '" +
                                         std::string(text) + "'");
  }
  return v;
}

}  // namespace

struct Client::Slot {
  std::mutex mutex;
  redisContext* ctx = nullptr;
  ~Slot() {
    if (ctx) hiredis()->free(ctx);  // a context exists only once hiredis is loaded
  }
};

std::string Endpoint::text() const {
  return host + ":" + std::to_string(port) + (db ? "/" + std::to_string(db) : "");
}

Result<Endpoint> parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) {
    return fail(Errc::kInvalidInput, "a Redis URL starts with redis:// (got '" + std::string(url) + "')");
  }
  std::string_view rest = url.substr(kScheme.size());
  Endpoint e;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    auto colon = cred.find(':');
    e.password = std::string(colon == std::string_view::npos ? cred : cred.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      auto n = parse_int(db, 0, 65535, "database number");
      if (!n) return std::unexpected(n.error());
      e.db = *n;
    }
  }
  std::string_view host = rest;
  if (rest.starts_with('[')) {  // [IPv6]:port
    auto close = rest.find(']');
    if (close == std::string_view::npos) return fail(Errc::kInvalidInput, "the Redis URL has an unclosed '['");
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return fail(Errc::kInvalidInput, "the Redis URL has junk after ']'");
  } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    rest = rest.substr(colon);
  } else {
    rest = {};
  }
  if (!rest.empty()) {
    auto port = parse_int(rest.substr(1), 1, 65535, "port");
    if (!port) return std::unexpected(port.error());
    e.port = *port;
  }
  if (host.empty()) return fail(Errc::kInvalidInput, "the Redis URL names no host");
  e.host = std::string(host);
  return e;
}

Client::Client(Endpoint endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.connections); ++i) {
    slots_.push_back(std::make_unique<Slot>());
  }
}

Client::~Client() = default;

void Client::failed(Slot& slot, const std::string& why) {
  if (slot.ctx) {
    hiredis()->free(slot.ctx);
    slot.ctx = nullptr;
  }
  ++failures_;
  available_ = false;
  std::lock_guard lock(backoff_mutex_);
  backoff_ = backoff_.count() == 0 ? options_.backoff_initial : std::min(backoff_ * 2, options_.backoff_max);
  retry_at_ = std::chrono::steady_clock::now() + backoff_;
  last_error_ = why;
}

Result<void> Client::connect(Slot& slot) {
  {
    std::lock_guard lock(backoff_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(retry_at_ - now);
      return fail(Errc::kNetwork, "Redis at " + endpoint_.text() + " is unavailable (" + last_error_ +
                                      "); next attempt in " + std::to_string(wait.count()) + " ms");
    }
  }
  const Result<HiredisApi>& api = hiredis();
  if (!api) return std::unexpected(api.error());
  redisContext* ctx = api->connect_with_timeout(endpoint_.host.c_str(), endpoint_.port,
                                                to_timeval(options_.connect_timeout));
  if (!ctx || ctx->err) {
    std::string why = ctx ? std::string("cannot connect: ") + ctx->errstr : "cannot allocate a connection";
    if (ctx) api->free(ctx);
    failed(slot, why);
    return fail(Errc::kNetwork, "Redis at " + endpoint_.text() + ": " + why);
  }
  api->set_timeout(ctx, to_timeval(options_.command_timeout));
  api->enable_keep_alive(ctx);
  slot.ctx = ctx;
  auto setup = [&](std::vector<std::string> args) -> Result<void> {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
    auto* r = static_cast<redisReply*>(api->command_argv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (!r) {
      std::string why = std::string("connection lost during ") + args[0] + ": " + ctx->errstr;
      failed(slot, why);
      return fail(Errc::kNetwork, "Redis at " + endpoint_.text() + ": " + why);
    }
    const bool error = r->type == REDIS_REPLY_ERROR;
    std::string msg = error ? std::string(r->str, r->len) : std::string();
    api->free_reply_object(r);
    if (error) {
      failed(slot, args[0] + " refused: " + msg);
      return fail(Errc::kNetwork, "Redis at " + endpoint_.text() + " refused " + args[0] + ": " + msg);
    }
    return {};
  };
  if (!endpoint_.password.empty()) {
    if (auto ok = setup({"AUTH", endpoint_.password}); !ok) return ok;
  }
  if (endpoint_.db != 0) {
    if (auto ok = setup({"SELECT", std::to_string(endpoint_.db)}); !ok) return ok;
  }
  return {};
}

Result<Reply> Client::command(const std::vector<std::string>& args) {
  if (args.empty()) return fail(Errc::kInvalidInput, "an empty Redis command");
  Slot& slot = *slots_[next_slot_++ % slots_.size()];
  std::lock_guard lock(slot.mutex);
  if (!slot.ctx) {
    if (auto ok = connect(slot); !ok) return std::unexpected(ok.error());
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  auto* r = static_cast<redisReply*>(
      hiredis()->command_argv(slot.ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (!r) {
    std::string why = slot.ctx->errstr[0] ? slot.ctx->errstr : "no reply";
    failed(slot, why);
    return fail(Errc::kNetwork, "Redis at " + endpoint_.text() + ": " + why);
  }
  std::unique_ptr<redisReply, void (*)(void*)> owned(r, hiredis()->free_reply_object);
  {
    std::lock_guard backoff_lock(backoff_mutex_);
    backoff_ = std::chrono::milliseconds(0);
    retry_at_ = {};
  }
  available_ = true;
  if (r->type == REDIS_REPLY_ERROR) {
    return fail(Errc::kUnsupported, "Redis refused " + args[0] + ": " + std::string(r->str, r->len));
  }
  return copy_reply(*r);
}

}  // namespace veritee::redis
