// A fixed number of worker threads over a bounded queue, for the handlers that may block
// (appraisal). try_enqueue() never waits: when every worker is busy and `capacity` jobs are
// waiting, it refuses, and the transport answers 503 with Retry-After instead of holding the
// request (its I/O thread must never block).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace veritee::rats::detail {

class BoundedPool {
 public:
  BoundedPool(std::size_t threads, std::size_t capacity);
  ~BoundedPool();
  BoundedPool(const BoundedPool&) = delete;
  BoundedPool& operator=(const BoundedPool&) = delete;

  // False when the queue is full or the pool is shut down.
  bool try_enqueue(std::function<void()> fn);
  // Runs what is queued, then joins the workers.
  void shutdown();
  std::size_t queued() const;

 private:
  void work();

  std::size_t capacity_;
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  mutable std::mutex mutex_;
  std::condition_variable has_job_;
};

}  // namespace veritee::rats::detail
