#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

#include "mlbench/loadgen/system_under_test.h"

namespace mlbench::bench {

// Counts a SUT's answers and their output tokens; wait() returns once all expected are in.
class CountingSink final : public loadgen::ResponseSink {
 public:
  explicit CountingSink(std::size_t expected) : expected_(expected) {}
  void first_token(std::uint64_t, std::span<const std::byte>) override {}
  void complete(std::uint64_t, std::span<const std::byte>, std::int64_t n_tokens) override {
    std::lock_guard lock(mutex_);
    tokens_ += n_tokens;
    if (++completed_ == expected_) done_.notify_all();
  }
  // The output tokens, or -1 if the answers did not all come within the limit.
  std::int64_t wait(std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    if (!done_.wait_for(lock, limit, [this] { return completed_ == expected_; })) return -1;
    return tokens_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  const std::size_t expected_;
  std::size_t completed_ = 0;
  std::int64_t tokens_ = 0;
};

}  // namespace mlbench::bench
