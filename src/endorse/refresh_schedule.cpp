// The refresh schedule of held endorsements (refresh_schedule.hpp).
#include "veritee/endorse/refresh_schedule.hpp"

#include <algorithm>

namespace veritee::endorse {

veritee::TimePoint refresh_due_at(veritee::TimePoint issued, std::optional<veritee::TimePoint> next_update,
                                  veritee::TimePoint now, std::chrono::milliseconds fallback) {
  if (!next_update) return now + fallback;
  const auto lifetime = *next_update - issued;
  const auto margin = std::max<veritee::TimePoint::duration>(lifetime / 4, std::chrono::minutes(1));
  return *next_update - margin;
}

void RetryState::failed(veritee::TimePoint at, std::string why, bool deferred, const RefreshTiming& timing) {
  problem = std::move(why);
  if (deferred) {
    next_attempt = at + timing.deferred_retry;
    return;
  }
  ++failures;
  auto wait = timing.retry_initial;
  for (int i = 1; i < failures && wait < timing.retry_max; ++i) wait *= 2;
  next_attempt = at + std::min(wait, timing.retry_max);
}

void RetryState::succeeded(veritee::TimePoint next) {
  problem.clear();
  failures = 0;
  next_attempt = next;
}

HeldStatus held_status(const RetryState& state, bool held, bool current,
                       std::optional<veritee::TimePoint> next_update, std::string source, std::string_view what) {
  HeldStatus st;
  st.current = current;
  if (held) {
    st.next_update = next_update;
    st.source = std::move(source);
  }
  if (!current) {
    st.problem = state.problem.empty() ? std::string("none held") : state.problem;
    if (held && st.next_update) {
      st.problem = "the " + std::string(what) + " held expired at " + veritee::format_time(*st.next_update) + "; " + st.problem;
    }
  }
  if (state.next_attempt != veritee::TimePoint{}) st.next_attempt = state.next_attempt;
  return st;
}

void RefreshThread::start(std::function<void()> first, std::function<void()> pass,
                          std::function<veritee::TimePoint()> next_due,
                          std::function<veritee::TimePoint()> now) {
  if (thread_.joinable()) return;
  thread_ = std::thread([this, first = std::move(first), pass = std::move(pass),
                         next_due = std::move(next_due), now = std::move(now)] {
    if (first) first();
    for (;;) {
      pass();
      const auto wait = next_due() - now();
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      // At most a minute at a time, so a jump of the wall clock is noticed.
      const auto capped = std::clamp<veritee::TimePoint::duration>(wait, std::chrono::milliseconds(10),
                                                                   std::chrono::minutes(1));
      wake_.wait_for(lock, capped, [this] { return stopping_ || woken_; });
      woken_ = false;
      if (stopping_) return;
    }
  });
}

void RefreshThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RefreshThread::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

bool RefreshThread::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

}  // namespace veritee::endorse
