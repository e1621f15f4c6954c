// CRLs held in memory and refreshed in the background (crl_keeper.hpp).
#include "veritee/endorse/crl_keeper.hpp"

#include <algorithm>

#include "veritee/endorse/cache_entries.hpp"
#include "veritee/endorse/endorsement_check.hpp"

namespace veritee::endorse {

namespace {

using std::chrono::milliseconds;

std::string describe(snp::Product product, Line line) {
  return std::string(snp::kds_name(product)) + " " + (line == Line::kVcek ? "VCEK" : "VLEK") + " CRL";
}

// When a held CRL is due for refresh (refresh_schedule.hpp).
veritee::TimePoint refresh_at(const x509::Crl& crl, veritee::TimePoint now, milliseconds fallback) {
  return refresh_due_at(crl.this_update(), crl.next_update(), now, fallback);
}

bool newer(const x509::Crl& candidate, const std::optional<HeldCrl>& held, veritee::TimePoint now) {
  if (!held || !held->crl.current_at(now)) return true;
  const auto a = candidate.next_update();
  const auto b = held->crl.next_update();
  if (!a || !b) return candidate.this_update() > held->crl.this_update();
  return *a > *b;
}

}  // namespace

CrlKeeper::CrlKeeper(const snp::TrustStore& roots, EndorsementCache* cache, KdsClient* client,
                     CrlKeeperOptions options)
    : roots_(&roots), cache_(cache), client_(client), options_(std::move(options)),
      timing_{options_.retry_initial, options_.retry_max, options_.deferred_retry} {
  if (options_.lines.empty()) {
    for (snp::Product p : {snp::Product::kMilan, snp::Product::kGenoa, snp::Product::kTurin}) {
      for (Line l : {Line::kVcek, Line::kVlek}) options_.lines.emplace_back(p, l);
    }
  }
  for (const auto& [product, line] : options_.lines) slots_.push_back(Slot{product, line});
}

CrlKeeper::~CrlKeeper() { stop(); }

veritee::TimePoint CrlKeeper::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

const CrlKeeper::Slot* CrlKeeper::find(snp::Product product, Line line) const {
  for (const auto& s : slots_) {
    if (s.product == product && s.line == line) return &s;
  }
  return nullptr;
}

// Takes the cache's CRL for the slot when it is current and newer than the one held (another
// process may have refreshed it).
void CrlKeeper::take_from_cache(Slot& slot, veritee::TimePoint at) {
  if (!cache_) return;
  CacheLookup found = cache_->find(crl_entry(slot.product, slot.line, *roots_));
  if (!found.bytes) return;
  auto crl = x509::Crl::load(*found.bytes);  // find() ran the entry's check already
  if (!crl || !crl->current_at(at) || !newer(*crl, slot.held, at)) return;
  slot.held = HeldCrl{std::move(*crl), Origin::kCache, "cache " + found.file.string()};
}

void CrlKeeper::failed(Slot& slot, veritee::TimePoint at, std::string problem, bool deferred) {
  slot.state.failed(at, std::move(problem), deferred, timing_);
  if (!deferred && options_.notify) {
    options_.notify("could not refresh the " + describe(slot.product, slot.line) + " (" +
                    slot.state.problem + "); next attempt at " + veritee::format_time(slot.state.next_attempt));
  }
}

void CrlKeeper::attempt(std::size_t index, veritee::TimePoint at) {
  Slot slot;
  {
    std::lock_guard lock(mutex_);
    slot = slots_[index];
  }
  const auto commit = [&] {
    std::lock_guard lock(mutex_);
    slots_[index] = slot;
  };
  take_from_cache(slot, at);
  const bool held_current = slot.held && slot.held->crl.current_at(at);
  if (held_current && refresh_at(slot.held->crl, at, options_.retry_max) > at) {
    slot.state.succeeded(refresh_at(slot.held->crl, at, options_.retry_max));
    return commit();
  }
  if (!client_) {
    slot.state.problem = held_current ? std::string()
                                      : "none current in the cache, and this verifier is offline (it never fetches)";
    slot.state.next_attempt = at + options_.retry_initial;
    return commit();
  }
  auto bytes = client_->crl(slot.product, slot.line);
  if (!bytes) {
    failed(slot, at, bytes.error().message, not_sent(bytes.error()) && !client_->circuit_open());
    return commit();
  }
  const std::string url = client_->url_for(crl_path(slot.product, slot.line));
  auto crl = check_crl(*bytes, slot.product, *roots_);
  if (!crl) {
    failed(slot, at, crl.error().message + " (from KDS " + url + ")", false);
    return commit();
  }
  if (!crl->current_at(at)) {
    const auto next = crl->next_update();
    failed(slot, at, "KDS served a CRL that is not current (thisUpdate " + veritee::format_time(crl->this_update()) +
                         ", nextUpdate " + (next ? veritee::format_time(*next) : std::string("none")) + ")",
           false);
    return commit();
  }
  if (newer(*crl, slot.held, at)) {
    if (cache_) {
      if (auto stored = cache_->put(crl_entry(slot.product, slot.line, *roots_), *bytes); !stored && options_.notify) {
        options_.notify("could not store the " + describe(slot.product, slot.line) + " in the cache: " +
                        stored.error().message);
      }
    }
    if (options_.notify) {
      const auto next = crl->next_update();
      options_.notify("holding the " + describe(slot.product, slot.line) + " from KDS " + url +
                      (next ? ", current until " + veritee::format_time(*next) : std::string()));
    }
    slot.held = HeldCrl{std::move(*crl), Origin::kFetched, "KDS " + url};
  }
  // KDS may still serve the same CRL late in its validity: look again after retry_initial.
  const auto due = refresh_at(slot.held->crl, at, options_.retry_max);
  slot.state.succeeded(due > at ? due : at + options_.retry_initial);
  commit();
}

void CrlKeeper::load() {
  std::lock_guard pass(pass_mutex_);
  const auto at = now();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot slot;
    {
      std::lock_guard lock(mutex_);
      slot = slots_[i];
    }
    take_from_cache(slot, at);
    if (slot.held && slot.held->crl.current_at(at)) {
      slot.state.problem.clear();
      slot.state.next_attempt = refresh_at(slot.held->crl, at, options_.retry_max);  // past: due now
    } else {
      slot.state.problem = cache_ ? "none current in the cache" : "no cache";
      slot.state.next_attempt = at;  // due now
    }
    std::lock_guard lock(mutex_);
    slots_[i] = std::move(slot);
  }
}

void CrlKeeper::refresh_due() {
  std::lock_guard pass(pass_mutex_);
  const auto at = now();
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    if (thread_.stopping()) return;
    {
      std::lock_guard lock(mutex_);
      if (slots_[i].state.next_attempt > at) continue;
    }
    attempt(i, at);
  }
}

veritee::TimePoint CrlKeeper::next_due() const {
  std::lock_guard lock(mutex_);
  veritee::TimePoint next = veritee::TimePoint::max();
  for (const auto& s : slots_) next = std::min(next, s.state.next_attempt);
  return next;
}

void CrlKeeper::start() {
  thread_.start([this] { load(); }, [this] { refresh_due(); }, [this] { return next_due(); },
                [this] { return now(); });
}

void CrlKeeper::stop() { thread_.stop(); }

std::optional<HeldCrl> CrlKeeper::current(snp::Product product, Line line) const {
  const auto at = now();
  std::lock_guard lock(mutex_);
  const Slot* s = find(product, line);
  if (!s || !s->held || !s->held->crl.current_at(at)) return std::nullopt;
  return s->held;
}

std::string CrlKeeper::why_not_current(snp::Product product, Line line) const {
  for (const auto& st : status()) {
    if (st.product == product && st.line == line) return st.problem;
  }
  return "the " + describe(product, line) + " is not kept by this verifier";
}

std::vector<CrlLineStatus> CrlKeeper::status() const {
  const auto at = now();
  std::lock_guard lock(mutex_);
  std::vector<CrlLineStatus> out;
  for (const auto& s : slots_) {
    CrlLineStatus st{held_status(s.state, s.held.has_value(), s.held && s.held->crl.current_at(at),
                                 s.held ? s.held->crl.next_update() : std::nullopt,
                                 s.held ? s.held->source : std::string(), "CRL"),
                     s.product, s.line};
    out.push_back(std::move(st));
  }
  return out;
}

bool CrlKeeper::all_current() const {
  for (const auto& st : status()) {
    if (!st.current) return false;
  }
  return true;
}

}  // namespace veritee::endorse
