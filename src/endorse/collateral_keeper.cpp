// Intel PCS collateral held in memory and refreshed in the background (collateral_keeper.hpp).
#include "veritee/endorse/collateral_keeper.hpp"

#include <algorithm>

namespace veritee::endorse {

namespace {

// The part of a request a piece depends on: TCB Info on the TEE and FMSPC, QE Identity on the
// TEE, the PCK CRL on the CA, the root CA CRL on nothing.
tdx::CollateralRequest normalized(PcsPiece piece, const tdx::CollateralRequest& request) {
  tdx::CollateralRequest out;
  switch (piece) {
    case PcsPiece::kTcbInfo:
      out.tee = request.tee;
      out.fmspc = request.fmspc;
      break;
    case PcsPiece::kQeIdentity: out.tee = request.tee; break;
    case PcsPiece::kPckCrl: out.ca = request.ca; break;
    case PcsPiece::kRootCaCrl: break;
  }
  return out;
}

// Every global piece there is: QE Identity of each TEE, PCK CRL of each CA, the root CA CRL.
std::vector<std::pair<PcsPiece, tdx::CollateralRequest>> global_pieces() {
  std::vector<std::pair<PcsPiece, tdx::CollateralRequest>> out;
  for (tdx::Tee tee : {tdx::Tee::kSgx, tdx::Tee::kTdx}) {
    tdx::CollateralRequest r;
    r.tee = tee;
    out.push_back({PcsPiece::kQeIdentity, r});
  }
  for (tdx::PckCa ca : {tdx::PckCa::kProcessor, tdx::PckCa::kPlatform}) {
    tdx::CollateralRequest r;
    r.ca = ca;
    out.push_back({PcsPiece::kPckCrl, r});
  }
  out.push_back({PcsPiece::kRootCaCrl, {}});
  return out;
}

bool newer(const PcsValidity& candidate, const PcsValidity& held) {
  if (candidate.next_update && held.next_update) return *candidate.next_update > *held.next_update;
  return candidate.issued > held.issued;
}

std::string until(const PcsValidity& v) {
  return v.next_update ? ", current until " + veritee::format_time(*v.next_update) : std::string();
}

}  // namespace

CollateralKeeper::CollateralKeeper(const x509::Certificate& root, EndorsementCache* cache, KdsClient* client,
                                   std::string root_ca_crl_url, CollateralKeeperOptions options)
    : root_(&root), cache_(cache), client_(client), root_ca_crl_url_(std::move(root_ca_crl_url)),
      options_(std::move(options)) {
  options_.max_tcb_infos = std::max<std::size_t>(options_.max_tcb_infos, 1);
}

CollateralKeeper::~CollateralKeeper() { stop(); }

veritee::TimePoint CollateralKeeper::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

veritee::TimePoint CollateralKeeper::valid_now() const {
  return options_.valid_at ? options_.valid_at() : now();
}

HeldPiece CollateralKeeper::held_piece(Bytes bytes, PcsValidity validity, Origin origin, std::string source) {
  return HeldPiece{std::move(bytes), validity, origin, std::move(source), ++serials_};
}

PcsSource CollateralKeeper::source_of(const Slot& slot, veritee::TimePoint valid) const {
  return pcs_source(slot.piece, slot.request, *root_, client_ ? client_->base_url() : std::string(),
                    root_ca_crl_url_, valid);
}

// When to look at a held piece again (on the schedule's clock): when it comes due at the
// validity clock, or after retry_initial when it is due already (PCS may still serve the same
// piece late in its validity).
veritee::TimePoint CollateralKeeper::next_attempt_after(const HeldPiece& held, veritee::TimePoint at,
                                                        veritee::TimePoint valid) const {
  const auto due = refresh_due_at(held.validity.issued, held.validity.next_update, valid,
                                  options_.timing.retry_max);
  return due > valid ? at + (due - valid) : at + options_.timing.retry_initial;
}

// Takes the cache's piece when it is current and newer than the one held (another process may
// have refreshed it).
bool CollateralKeeper::take_from_cache(Slot& slot, const PcsSource& source, veritee::TimePoint valid) {
  if (!cache_) return false;
  CacheLookup found = cache_->find(source.entry);  // runs the entry's check
  if (!found.bytes) return false;
  auto v = pcs_validity(slot.piece, *found.bytes);
  if (!v || !v->current_at(valid)) return false;
  if (slot.held && slot.held->validity.current_at(valid) && !newer(*v, slot.held->validity)) return false;
  slot.held = held_piece(std::move(*found.bytes), *v, Origin::kCache, "cache " + found.file.string());
  return true;
}

void CollateralKeeper::failed(Slot& slot, veritee::TimePoint at, std::string problem, bool deferred, Errc code) {
  slot.state.failed(at, std::move(problem), deferred, options_.timing);
  if (deferred) return;
  slot.last_error = code;
  if (options_.notify) {
    options_.notify("could not refresh the " + source_of(slot, valid_now()).entry.what + " (" +
                    slot.state.problem + "); next attempt at " + veritee::format_time(slot.state.next_attempt));
  }
}

void CollateralKeeper::commit(const std::string& key, Slot slot) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return;  // evicted meanwhile
  slot.last_asked = std::max(slot.last_asked, it->second.last_asked);
  it->second = std::move(slot);
}

void CollateralKeeper::attempt(const std::string& key, veritee::TimePoint at) {
  Slot slot;
  {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    slot = it->second;
  }
  const auto valid = valid_now();
  const PcsSource source = source_of(slot, valid);
  take_from_cache(slot, source, valid);
  const bool held_current = slot.held && slot.held->validity.current_at(valid);
  if (held_current && refresh_due_at(slot.held->validity.issued, slot.held->validity.next_update, valid,
                                     options_.timing.retry_max) > valid) {
    slot.state.succeeded(next_attempt_after(*slot.held, at, valid));
    return commit(key, std::move(slot));
  }
  if (!client_) {
    slot.state.problem = held_current ? std::string()
                                      : "none current in the cache, and this verifier is offline (it never fetches)";
    slot.last_error = Errc::kEndorsementMissing;
    slot.state.next_attempt = at + options_.timing.retry_initial;
    return commit(key, std::move(slot));
  }
  auto response = client_->get_url(source.url);
  if (!response) {
    const Error& e = response.error();
    failed(slot, at, e.message, not_sent(e) && !client_->circuit_open(), e.code);
    return commit(key, std::move(slot));
  }
  // Bytes that fail their check are never stored nor held (the cache checks again on put).
  auto bytes = source.from_response(*response);
  Result<void> checked = bytes ? source.entry.check(*bytes) : Result<void>(std::unexpected(bytes.error()));
  Result<PcsValidity> validity = checked ? pcs_validity(slot.piece, *bytes) : std::unexpected(checked.error());
  if (!validity) {
    failed(slot, at, source.entry.what + " from GET " + source.url + ": " + validity.error().message + "; not stored",
           false, Errc::kEndorsementInvalid);
    return commit(key, std::move(slot));
  }
  if (!validity->current_at(valid)) {
    failed(slot, at,
           "PCS served a " + source.entry.what + " that is not current (issued " +
               veritee::format_time(validity->issued) + ", nextUpdate " +
               (validity->next_update ? veritee::format_time(*validity->next_update) : std::string("none")) + ")",
           false, Errc::kEndorsementInvalid);
    return commit(key, std::move(slot));
  }
  if (!held_current || newer(*validity, slot.held->validity)) {
    if (cache_) {
      if (auto stored = cache_->put(source.entry, *bytes); !stored && options_.notify) {
        options_.notify("could not store the " + source.entry.what + " in the cache: " + stored.error().message);
      }
    }
    if (options_.notify) options_.notify("holding the " + source.entry.what + " from " + source.url + until(*validity));
    slot.held = held_piece(std::move(*bytes), *validity, Origin::kFetched, "PCS " + source.url);
  }
  slot.state.succeeded(next_attempt_after(*slot.held, at, valid));
  commit(key, std::move(slot));
}

CollateralKeeper::Slot& CollateralKeeper::keep(const std::string& key, PcsPiece piece,
                                               const tdx::CollateralRequest& request, bool& created) {
  if (auto it = slots_.find(key); it != slots_.end()) return it->second;
  created = true;
  if (piece == PcsPiece::kTcbInfo) {
    const auto valid = valid_now();
    for (;;) {
      std::size_t count = 0;
      auto victim = slots_.end();
      auto worse = [&](const Slot& a, const Slot& b) {  // a goes before b
        const bool a_current = a.held && a.held->validity.current_at(valid);
        const bool b_current = b.held && b.held->validity.current_at(valid);
        if (a_current != b_current) return !a_current;
        return a.last_asked < b.last_asked;
      };
      for (auto it = slots_.begin(); it != slots_.end(); ++it) {
        if (it->second.piece != PcsPiece::kTcbInfo) continue;
        ++count;
        if (victim == slots_.end() || worse(it->second, victim->second)) victim = it;
      }
      if (count < options_.max_tcb_infos) break;
      slots_.erase(victim);
    }
  }
  Slot slot;
  slot.piece = piece;
  slot.request = request;
  slot.state.problem = "not fetched yet";
  slot.state.next_attempt = now();  // due now
  return slots_.emplace(key, std::move(slot)).first->second;
}

Result<HeldPiece> CollateralKeeper::lookup(PcsPiece piece, const tdx::CollateralRequest& request,
                                           std::optional<veritee::TimePoint> at) {
  const auto valid = at.value_or(valid_now());
  const auto t = now();
  Slot want;
  want.piece = piece;
  want.request = normalized(piece, request);
  const PcsSource source = source_of(want, valid);
  const std::string& key = source.entry.key;
  {
    std::lock_guard lock(mutex_);
    if (auto it = slots_.find(key); it != slots_.end()) {
      it->second.last_asked = t;
      if (it->second.held && it->second.held->validity.current_at(valid)) return *it->second.held;
    }
  }
  // Not held: the cache (a local read; never the network).
  const bool cached = take_from_cache(want, source, valid);
  bool created = false;
  std::string problem;
  veritee::TimePoint next{};
  Errc code = Errc::kNetwork;
  bool failing = false;
  {
    std::lock_guard lock(mutex_);
    Slot& slot = keep(key, piece, want.request, created);
    slot.last_asked = t;
    if (cached) {
      if (!slot.held || !slot.held->validity.current_at(valid) || newer(want.held->validity, slot.held->validity)) {
        slot.held = want.held;
      }
      if (created) slot.state.succeeded(next_attempt_after(*slot.held, t, valid));
      return *want.held;
    }
    problem = slot.state.problem;
    next = slot.state.next_attempt;
    code = slot.last_error;
    failing = slot.state.failures > 0;
  }
  if (created) thread_.wake();
  if (!client_) {
    return fail(Errc::kEndorsementMissing,
                source.entry.what + ": none current in the cache, and this verifier is offline (it never fetches)");
  }
  if (failing && code == Errc::kEndorsementMissing) {
    return fail(Errc::kEndorsementMissing, source.entry.what + ": " + problem);
  }
  return fail(Errc::kNetwork, source.entry.what + " is not held yet (" + problem +
                                  "); it is fetched from PCS in the background, next attempt at " +
                                  veritee::format_time(next));
}

void CollateralKeeper::load() {
  std::lock_guard pass(pass_mutex_);
  if (!cache_) return;
  const auto t = now();
  const auto valid = valid_now();
  const std::vector<std::string> present = cache_->keys();
  std::vector<std::pair<PcsPiece, tdx::CollateralRequest>> found = global_pieces();
  std::size_t tcb_infos = 0;
  for (const std::string& key : present) {
    for (tdx::Tee tee : {tdx::Tee::kSgx, tdx::Tee::kTdx}) {
      const std::string prefix = tee == tdx::Tee::kTdx ? "dcap/tcb/tdx/" : "dcap/tcb/sgx/";
      if (!key.starts_with(prefix) || tcb_infos >= options_.max_tcb_infos) continue;
      auto fmspc = from_hex(key.substr(prefix.size()));
      if (!fmspc || fmspc->size() != 6) continue;
      tdx::CollateralRequest r;
      r.tee = tee;
      r.fmspc = std::move(*fmspc);
      found.push_back({PcsPiece::kTcbInfo, r});
      ++tcb_infos;
    }
  }
  for (const auto& [piece, request] : found) {
    Slot slot;
    slot.piece = piece;
    slot.request = request;
    const PcsSource source = source_of(slot, valid);
    if (!std::binary_search(present.begin(), present.end(), source.entry.key)) continue;  // never kept
    {
      std::lock_guard lock(mutex_);
      if (auto it = slots_.find(source.entry.key); it != slots_.end()) slot = it->second;
    }
    if (take_from_cache(slot, source, valid) || (slot.held && slot.held->validity.current_at(valid))) {
      const auto due = refresh_due_at(slot.held->validity.issued, slot.held->validity.next_update, valid,
                                      options_.timing.retry_max);
      slot.state.succeeded(due > valid ? t + (due - valid) : t);  // already due: now
    } else {
      slot.state.problem = "none current in the cache";
      slot.state.next_attempt = t;  // due now
    }
    std::lock_guard lock(mutex_);
    slots_[source.entry.key] = std::move(slot);
  }
}

void CollateralKeeper::refresh_due() {
  std::lock_guard pass(pass_mutex_);
  const auto t = now();
  std::vector<std::string> due;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, slot] : slots_) {
      if (slot.state.next_attempt <= t) due.push_back(key);
    }
  }
  for (const std::string& key : due) {
    if (thread_.stopping()) return;
    attempt(key, t);
  }
}

veritee::TimePoint CollateralKeeper::next_due() const {
  std::lock_guard lock(mutex_);
  veritee::TimePoint next = veritee::TimePoint::max();
  for (const auto& [key, slot] : slots_) next = std::min(next, slot.state.next_attempt);
  return next;
}

void CollateralKeeper::start() {
  thread_.start([this] { load(); }, [this] { refresh_due(); }, [this] { return next_due(); },
                [this] { return now(); });
}

void CollateralKeeper::stop() { thread_.stop(); }

std::optional<FetchedCollateral> CollateralKeeper::assembled(const std::array<std::uint64_t, 4>& serials) const {
  std::lock_guard lock(assembled_mutex_);
  auto it = assembled_.find(serials);
  if (it == assembled_.end()) return std::nullopt;
  return it->second;
}

void CollateralKeeper::remember(const std::array<std::uint64_t, 4>& serials, const FetchedCollateral& collateral) {
  std::lock_guard lock(assembled_mutex_);
  // Pieces replaced leave their entries behind: one per TCB Info kept, and as many again.
  if (assembled_.size() >= 2 * options_.max_tcb_infos) assembled_.clear();
  assembled_.insert_or_assign(serials, collateral);
}

std::vector<CollateralStatus> CollateralKeeper::status() const {
  const auto valid = valid_now();
  std::lock_guard lock(mutex_);
  std::vector<CollateralStatus> out;
  for (const auto& [key, s] : slots_) {
    CollateralStatus st{held_status(s.state, s.held.has_value(), s.held && s.held->validity.current_at(valid),
                                    s.held ? s.held->validity.next_update : std::nullopt,
                                    s.held ? s.held->source : std::string(), "one")};
    st.piece = s.piece;
    st.what = source_of(s, valid).entry.what;
    st.global = s.piece != PcsPiece::kTcbInfo;
    if (s.piece == PcsPiece::kTcbInfo || s.piece == PcsPiece::kQeIdentity) st.tee = s.request.tee;
    if (s.piece == PcsPiece::kTcbInfo) st.fmspc = s.request.fmspc_hex();
    if (s.piece == PcsPiece::kPckCrl) st.ca = s.request.ca;
    out.push_back(std::move(st));
  }
  return out;
}

bool CollateralKeeper::globals_current() const {
  for (const auto& st : status()) {
    if (st.global && !st.current) return false;
  }
  return true;
}

}  // namespace veritee::endorse
