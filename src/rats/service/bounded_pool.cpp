#include "rats/service/bounded_pool.hpp"

namespace veritee::rats::detail {

BoundedPool::BoundedPool(std::size_t threads, std::size_t capacity) : capacity_(capacity) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

BoundedPool::~BoundedPool() { shutdown(); }

bool BoundedPool::try_enqueue(std::function<void()> fn) {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(fn));
  }
  has_job_.notify_one();
  return true;
}

std::size_t BoundedPool::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void BoundedPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  has_job_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void BoundedPool::work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mutex_);
      has_job_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
      if (jobs_.empty()) return;  // shut down and drained
      fn = std::move(jobs_.front());
      jobs_.pop_front();
    }
    fn();
  }
}

}  // namespace veritee::rats::detail
