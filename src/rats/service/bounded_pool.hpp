// cpp-httplib's TaskQueue with a fixed number of workers and a bounded queue: when every
// worker is busy and `capacity` accepted connections are waiting, enqueue() blocks the accept
// loop, so further connections wait in the kernel's listen backlog instead of in memory.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>  // httplib::TaskQueue

namespace veritee::rats::detail {

class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(std::size_t threads, std::size_t capacity);
  ~BoundedPool() override;

  void enqueue(std::function<void()> fn) override;
  // Runs what is queued, then joins the workers.
  void shutdown() override;

 private:
  void work();

  std::size_t capacity_;
  std::vector<std::thread> threads_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::mutex mutex_;
  std::condition_variable has_job_;
  std::condition_variable has_room_;
};

}  // namespace veritee::rats::detail
