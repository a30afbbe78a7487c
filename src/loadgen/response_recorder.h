#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "mlbench/loadgen/run_record.h"
#include "mlbench/loadgen/system_under_test.h"

namespace mlbench::loadgen::detail {

using Clock = std::chrono::steady_clock;

// The engine's ResponseSink: stamps each answer into its pre-sized SampleRecord and checks it
// the way LoadGen does (first token before completion, no double completion, n_tokens > 1),
// recording LoadGen's error texts. One mutex serialises the SUT's callbacks; the issue thread
// never takes it on its hot path (it only stores issue times before handing samples over).
class ResponseRecorder final : public ResponseSink {
 public:
  struct Rules {
    bool needs_first_token = true;  // every scenario but Offline
    bool use_token_latencies = true;
  };

  ResponseRecorder(std::vector<SampleRecord>& samples, Clock::time_point start, Rules rules);

  void first_token(uint64_t response_id, std::span<const std::byte> data) override;
  void complete(uint64_t response_id, std::span<const std::byte> data, int64_t n_tokens) override;

  // Waits until at least `count` samples have completed, the deadline passes, or `stop` is
  // set; true when the count was reached.
  bool wait_for_completions(uint64_t count, Clock::time_point deadline,
                            const std::atomic<bool>* stop);

  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  uint64_t tokens() const { return tokens_.load(std::memory_order_relaxed); }

  // Stops accepting answers (a SUT that answers after the run ended is ignored, so the records
  // can be read safely) and hands over the errors seen.
  std::vector<RuntimeError> close();

 private:
  std::chrono::nanoseconds now() const { return Clock::now() - start_; }
  void record_error(std::chrono::nanoseconds at, const char* message);    // needs mutex_ held
  SampleRecord* find(uint64_t response_id, std::chrono::nanoseconds at);  // needs mutex_ held

  std::vector<SampleRecord>& samples_;
  const Clock::time_point start_;
  const Rules rules_;

  std::mutex mutex_;
  std::condition_variable completion_;
  uint64_t wait_target_ = 0;
  bool closed_ = false;
  uint64_t next_completion_rank_ = 0;
  std::vector<RuntimeError> errors_;
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> tokens_{0};
};

}  // namespace mlbench::loadgen::detail
