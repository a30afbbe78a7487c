#include "response_recorder.h"

#include <fmt/format.h>

namespace mlbench::loadgen::detail {

ResponseRecorder::ResponseRecorder(std::vector<SampleRecord>& samples, Clock::time_point start,
                                   Rules rules)
    : samples_(samples), start_(start), rules_(rules) {}

void ResponseRecorder::record_error(std::chrono::nanoseconds at, const char* message) {
  errors_.push_back(RuntimeError{at, message});
}

SampleRecord* ResponseRecorder::find(uint64_t response_id, std::chrono::nanoseconds at) {
  if (response_id >= samples_.size()) {
    // LoadGen would dereference a bad pointer here; we say what happened instead.
    errors_.push_back(RuntimeError{
        at, fmt::format("Received a response for unknown response id {}", response_id)});
    return nullptr;
  }
  return &samples_[response_id];
}

void ResponseRecorder::first_token(uint64_t response_id, std::span<const std::byte> data) {
  const auto at = now();
  std::lock_guard lock(mutex_);
  if (closed_) return;
  SampleRecord* sample = find(response_id, at);
  if (sample == nullptr) return;
  if (sample->completed) {
    record_error(at, "Attempted to record token latency after sample was completed");
    return;
  }
  if (sample->first_token) {
    record_error(at, "Attempted to complete a sample twice.");
    return;
  }
  sample->first_token = at;
  if (sample->in_accuracy_log) sample->first_token_data.assign(data.begin(), data.end());
}

void ResponseRecorder::complete(uint64_t response_id, std::span<const std::byte> data,
                                int64_t n_tokens) {
  const auto at = now();
  std::lock_guard lock(mutex_);
  if (closed_) return;
  SampleRecord* sample = find(response_id, at);
  if (sample == nullptr) return;
  if (sample->completed) {
    // Not counted again: a second completion must not end the run before the SUT is done.
    record_error(at, "Attempted to complete a sample twice.");
    return;
  }
  if (rules_.use_token_latencies) {
    if (rules_.needs_first_token && !sample->first_token) {
      record_error(at, "Attempted to record a sample latency before it's first token latency");
    }
    if (n_tokens == 0) {
      record_error(at, "n_tokens argument missing or attempted to record 0 as number of tokens");
    } else if (n_tokens < 0) {
      record_error(at, "Attempted to record a negative number of tokens");
    } else if (n_tokens == 1) {
      record_error(at, "Number of tokens need to be greater than 1");
      n_tokens = 0;  // as LoadGen records it
    }
  }
  sample->completed = at;
  sample->n_tokens = n_tokens;
  sample->completion_rank = next_completion_rank_++;
  if (sample->in_accuracy_log) sample->data.assign(data.begin(), data.end());
  if (n_tokens > 0) tokens_.fetch_add(static_cast<uint64_t>(n_tokens), std::memory_order_relaxed);
  const uint64_t done = completed_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (done >= wait_target_) completion_.notify_all();
}

bool ResponseRecorder::wait_for_completions(uint64_t count, Clock::time_point deadline,
                                            const std::atomic<bool>* stop) {
  // Wake at least this often to notice `stop`; the SUT's answers wake us sooner.
  constexpr auto kStopPollInterval = std::chrono::milliseconds(50);
  std::unique_lock lock(mutex_);
  wait_target_ = count;
  while (completed_.load(std::memory_order_relaxed) < count) {
    if (stop != nullptr && stop->load()) return false;
    const auto now_point = Clock::now();
    if (now_point >= deadline) return false;
    completion_.wait_until(lock, std::min(deadline, now_point + kStopPollInterval));
  }
  return true;
}

std::vector<RuntimeError> ResponseRecorder::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  return std::move(errors_);
}

}  // namespace mlbench::loadgen::detail
