#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mlbench::model {

// A fixed set of worker threads that split index ranges between them. The forward pass calls
// parallel_for a few times per layer, so the workers stay parked on a condition variable between
// calls instead of being created each time.
class ThreadPool {
 public:
  // `threads` counts the calling thread too; 0 means one per hardware thread.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) on disjoint chunks covering [0, n), one chunk per thread, and returns
  // when all are done. The caller runs a chunk itself.
  void parallel_for(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)>& fn);

 private:
  void work(int index);
  void run_chunk(int index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(std::int64_t, std::int64_t)>* job_ = nullptr;
  std::int64_t job_size_ = 0;
  std::uint64_t generation_ = 0;  // bumped per job so a worker never runs one twice
  int pending_ = 0;
  bool stopping_ = false;
};

}  // namespace mlbench::model
