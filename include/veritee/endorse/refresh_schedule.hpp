// The one schedule on which a long-running verifier refreshes the endorsements it holds (AMD
// CRLs: crl_keeper.hpp; Intel PCS collateral: collateral_keeper.hpp), so that a request never
// waits for KDS or PCS (docs/service.md, "Readiness and CRL refresh"):
//
// - a held piece valid from `issued` to `next_update` is due for refresh in the last quarter of
//   its validity, and at least a minute before `next_update`;
// - a failed fetch is tried again after retry_initial, doubling per failure up to retry_max,
//   whatever the requests do; a fetch the client refused without sending it (its rate limit had
//   no slot) is tried again after deferred_retry;
// - one background thread runs a pass whenever the next piece is due, waking at least once a
//   minute (a jump of the wall clock is noticed) and at once when asked (wake()).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "veritee/common/time.hpp"

namespace veritee::endorse {

struct RefreshTiming {
  std::chrono::milliseconds retry_initial{30'000};  // after a failed fetch; doubles per failure
  std::chrono::milliseconds retry_max{600'000};
  std::chrono::milliseconds deferred_retry{1'000};  // after the rate limit refused to send
};

// When a piece valid from `issued` until `next_update` is due for refresh (see above); a piece
// without a nextUpdate is looked at again `fallback` after `now`.
veritee::TimePoint refresh_due_at(veritee::TimePoint issued, std::optional<veritee::TimePoint> next_update,
                                  veritee::TimePoint now, std::chrono::milliseconds fallback);

// Where one held piece stands on the schedule: why none is current (empty when one is), when to
// look again, and the failures in a row.
struct RetryState {
  std::string problem{"not looked up yet"};
  veritee::TimePoint next_attempt{};
  int failures = 0;

  // A fetch failed at `at`: the next attempt backs off (or comes after deferred_retry when the
  // request was never sent).
  void failed(veritee::TimePoint at, std::string why, bool deferred, const RefreshTiming& timing);
  // A current piece is held: nothing to say, look again at `next`.
  void succeeded(veritee::TimePoint next);
};

// One held piece as readiness reports it.
struct HeldStatus {
  bool current = false;
  std::optional<veritee::TimePoint> next_update{};  // of the piece held, current or not
  std::string source{};   // where the held piece came from
  std::string problem{};  // why none is current (empty when current)
  std::optional<veritee::TimePoint> next_attempt{};  // when the keeper looks again
};
// The status of a piece on `state`'s schedule: `held` whether one is held at all, `current`
// whether it is current, `next_update` and `source` the held one's; `what` names it in the
// problem ("the CRL held expired at …").
HeldStatus held_status(const RetryState& state, bool held, bool current,
                       std::optional<veritee::TimePoint> next_update, std::string source, std::string_view what);

// The background thread: pass() whenever next_due() has come (by `now()`), until stop().
class RefreshThread {
 public:
  RefreshThread() = default;
  ~RefreshThread() { stop(); }
  RefreshThread(const RefreshThread&) = delete;
  RefreshThread& operator=(const RefreshThread&) = delete;

  // `first` runs once before the loop (e.g. what the cache holds). Starting twice is a no-op.
  void start(std::function<void()> first, std::function<void()> pass,
             std::function<veritee::TimePoint()> next_due, std::function<veritee::TimePoint()> now);
  // Stops the thread (waits for a pass in progress). Idempotent.
  void stop();
  // Runs a pass now (e.g. a request asked for something not held).
  void wake();
  bool stopping() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace veritee::endorse
