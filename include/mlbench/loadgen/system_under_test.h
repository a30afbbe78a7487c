#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace mlbench::loadgen {

// One sample handed to the SUT. `response_id` is what the SUT quotes back when it answers.
struct IssuedSample {
  uint64_t response_id = 0;
  uint64_t qsl_index = 0;
};

// Where a SUT sends its answers. Safe to call from any thread, any number of threads at once,
// and even before `issue` has returned.
class ResponseSink {
 public:
  // The first output token exists (every scenario but Offline needs this before completion).
  virtual void first_token(uint64_t response_id, std::span<const std::byte> data) = 0;
  // The sample is done: `data` is the whole response (int32 little-endian token ids for
  // Llama), `n_tokens` the number of output tokens including the first.
  virtual void complete(uint64_t response_id, std::span<const std::byte> data,
                        int64_t n_tokens) = 0;

 protected:
  ~ResponseSink() = default;
};

// The narrow interface between the scenario engine and whatever answers queries: our model
// backends, the simulated SUT, or an adapter for an official LoadGen build.
class SystemUnderTest {
 public:
  virtual ~SystemUnderTest() = default;
  virtual std::string name() const = 0;
  // Takes the samples of one query. Must not block on inference: queue the work and return,
  // because the Server issue thread calls this on the schedule.
  virtual void issue(std::span<const IssuedSample> samples, ResponseSink& sink) = 0;
  // Nothing more will be issued in this run; a batching SUT may drain its queue now.
  virtual void flush() {}
  // The run ended (interrupted, or timed out) with samples still unanswered: drop them. When
  // this returns the SUT must not call the sink of that run again, because it is about to be
  // destroyed.
  virtual void cancel_outstanding() = 0;
};

}  // namespace mlbench::loadgen
