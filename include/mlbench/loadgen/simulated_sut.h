#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "mlbench/loadgen/system_under_test.h"

namespace mlbench::loadgen {

// How the simulated SUT behaves. Each sample's output length and time to first token are drawn
// from a hash of (seed, QSL index), so the same sample behaves the same in every run.
struct SimulatedSutOptions {
  uint64_t seed = 1;
  int workers = 4;  // samples served at once; each worker serves one sample at a time
  std::chrono::microseconds min_ttft{15'000};
  std::chrono::microseconds max_ttft{35'000};
  std::chrono::microseconds time_per_output_token{1'500};
  int min_output_tokens = 16;
  int max_output_tokens = 128;
  bool report_first_token = true;  // every scenario but Offline needs it
};

// What one sample would produce under `options`.
struct SimulatedAnswer {
  int64_t n_tokens = 0;
  std::chrono::microseconds time_to_first_token{0};
  std::chrono::microseconds total_time{0};
  std::vector<int32_t> token_ids;  // ends with Llama 3's <|eot_id|> (128009)
};
SimulatedAnswer simulate_answer(const SimulatedSutOptions& options, uint64_t qsl_index);

// A system under test with no model: worker threads serve a FIFO, sleeping for the simulated
// time to first token and per output token, then answer with deterministic token ids. It lets
// the scenario engine, the log files and the orchestration be exercised anywhere, fast.
class SimulatedSut final : public SystemUnderTest {
 public:
  explicit SimulatedSut(SimulatedSutOptions options);
  ~SimulatedSut() override;
  SimulatedSut(const SimulatedSut&) = delete;
  SimulatedSut& operator=(const SimulatedSut&) = delete;

  std::string name() const override { return "mlbench-sim"; }
  void issue(std::span<const IssuedSample> samples, ResponseSink& sink) override;
  void cancel_outstanding() override;

 private:
  struct Work {
    IssuedSample sample;
    ResponseSink* sink = nullptr;
    std::chrono::steady_clock::time_point received;
    uint64_t epoch = 0;
  };
  void serve(std::stop_token stop);
  // Sleeps until `until`; false if the work was cancelled (or the SUT is stopping) meanwhile.
  bool sleep_unless_cancelled(std::stop_token stop, uint64_t epoch,
                              std::chrono::steady_clock::time_point until);

  const SimulatedSutOptions options_;
  std::mutex mutex_;
  std::condition_variable_any work_ready_;
  std::deque<Work> queue_;
  uint64_t epoch_ = 0;   // bumped by cancel_outstanding: work of older epochs is dropped
  int in_callback_ = 0;  // workers between deciding to answer and finishing the call
  std::condition_variable_any idle_;
  std::vector<std::jthread> workers_;
};

}  // namespace mlbench::loadgen
