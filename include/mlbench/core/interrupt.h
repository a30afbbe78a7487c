#pragma once

#include <pthread.h>

#include <atomic>

namespace mlbench {

// Turns SIGINT and SIGTERM into a flag that long-running work polls, without a global: the
// signals are blocked in every thread (construct this before starting any other thread) and a
// dedicated thread receives them with sigwait. One per process, held by main().
class InterruptWatcher {
 public:
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  const std::atomic<bool>& flag() const { return interrupted_; }
  bool interrupted() const { return interrupted_.load(); }
  // Set by a second signal: whoever is waiting politely for something to stop should stop it
  // now (the controller SIGKILLs runners still inside their kill grace).
  const std::atomic<bool>& repeated_flag() const { return repeated_; }
  int signal_number() const { return signal_.load(); }

 private:
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> repeated_{false};
  std::atomic<int> signal_{0};
  std::atomic<bool> shutting_down_{false};
  pthread_t thread_{};
  bool started_ = false;
};

}  // namespace mlbench
